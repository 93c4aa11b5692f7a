"""The vocabulary a pack is declared in: entities, data tables, CSV mappings and ground truth.

A pack module builds one `Pack` out of these frozen dataclasses and never issues SQL; the generic
loader in `seedpacks.seeding` validates it and turns it into rows.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import polars as pl

ColumnType = Literal["text", "integer", "bigint", "decimal", "boolean", "date", "timestamp", "json"]
# A generator returns one value per requested row number (see `seedpacks.packs.gen.Block`).
Generator = Callable[[Any], np.ndarray | pl.Series]


@dataclass(frozen=True)
class CsvColumn:
    """How one column is read from an uploaded CSV."""

    aliases: tuple[str, ...] = ()
    # Values meaning "unknown": they become NULL.
    sentinels: tuple[str, ...] = ()
    # Per-type parsing hints, e.g. {"date_format": "%Y%m%d"} or {"true": ["Yes"], "false": ["No"]}.
    parse: Mapping[str, Any] = field(default_factory=dict)
    # A column computed from others instead of read, e.g. a JSON key of another column.
    derive: Mapping[str, Any] = field(default_factory=dict)
    required: bool = False


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    generate: Generator
    nullable: bool = True
    description: str = ""
    csv: CsvColumn = CsvColumn()
    # Digits after the decimal point of a "decimal" column (e.g. 3 for the Euribor rate).
    decimals: int = 2


@dataclass(frozen=True)
class CsvMapping:
    """How an uploaded CSV file maps onto a table (the reference's `mapCsvRow()`)."""

    description: str = ""
    delimiters: tuple[str, ...] = (",", ";", "\t")
    # Rows dropped on purpose, with the reason shown to the user: {"when": ..., "reason": ...}.
    drop_rows: tuple[Mapping[str, Any], ...] = ()
    # Columns generated for rows when the file has no such column (e.g. a synthetic surrogate key).
    generated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """`column` of this table holds values of `table.target` (drives generation order)."""

    column: str
    table: str
    target: str


@dataclass(frozen=True)
class Copula:
    """Correlated columns: their own random draws are joined by a Gaussian copula.

    Each column keeps its marginal (its generator maps its draw as before), while the draws
    are standard normals with this correlation matrix, so the columns' rank correlations
    follow it. A copula is a table's declaration; its columns are numeric or ordered.
    """

    name: str
    columns: tuple[str, ...]
    correlation: tuple[tuple[float, ...], ...]
    description: str = ""


@dataclass(frozen=True)
class Journey:
    """Rows generated customer by customer instead of row by row.

    `build` receives whole scale units of the customer table (seedpacks.seeding.journeys
    `Units`) and returns those customers' rows together, each customer's in time order, exactly
    `Table.rows` rows per unit: so the row count stays declared and a unit's rows depend on that
    unit only. Columns whose names start with "_" are the journey's own (e.g. the channel an
    offer went out on) and are not stored; a ground truth can derive the history from them.
    """

    customers: str
    build: Callable[[Any], pl.DataFrame]
    description: str
    # What the journeys guarantee for every row, in words (the describe endpoint lists them).
    rules: tuple[str, ...] = ()
    # The impression rows of `build` alone, in the same order, with the columns a HistoryFrom
    # reads: so the history need not build every other row again.
    impressions: Callable[[Any], pl.DataFrame] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # Rows at scale 1; multiplied by the scale when `scales` is true.
    rows: int
    scales: bool = True
    references: tuple[Reference, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    csv: CsvMapping | None = CsvMapping()
    copulas: tuple[Copula, ...] = ()
    journey: Journey | None = None

    @property
    def count_key(self) -> str:
        return f"{self.name}_rows"

    def rows_at(self, scale: int) -> int:
        return self.rows * scale if self.scales else self.rows

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


@dataclass(frozen=True)
class SubCategory:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str = ""
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    sub_categories: tuple[SubCategory, ...] = ()


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    channel_type: str
    delivery_mode: str = "api"
    placements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offer:
    id: str
    name: str
    category: str
    sub_category: str | None = None
    description: str = ""
    status: str = "active"
    priority: int = 50
    business_value: float = 0.0
    budget: float | None = None
    start_date: date | None = None
    end_date: date | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Creative:
    id: str
    offer: str
    channel: str
    name: str
    template_type: str
    subject: str | None = None
    headline: str | None = None
    body: str | None = None
    cta: str | None = None
    weight: int = 100


@dataclass(frozen=True)
class QualificationRule:
    id: str
    name: str
    stage: Literal["eligibility", "fit", "match"]
    rule_type: str
    config: Mapping[str, Any]
    scope: str = "global"
    scope_ref: str | None = None
    priority: int = 0


@dataclass(frozen=True)
class ContactPolicy:
    id: str
    name: str
    policy_type: str
    config: Mapping[str, Any]
    scope: str = "global"
    scope_ref: str | None = None


@dataclass(frozen=True)
class OutcomeType:
    id: str
    key: str
    name: str
    classification: Literal["positive", "negative", "neutral"]


@dataclass(frozen=True)
class AlgorithmModel:
    id: str
    key: str
    name: str
    model_type: str
    config: Mapping[str, Any] = field(default_factory=dict)
    # Bandit-style models start from the pack's interaction history (arms = counts + 1).
    learns_from_history: bool = False


@dataclass(frozen=True)
class Experiment:
    id: str
    key: str
    name: str
    champion: str
    # Percent of traffic per model id, champion included; sums to 100.
    traffic_split: Mapping[str, int]


@dataclass(frozen=True)
class FlowNode:
    type: str
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionFlow:
    id: str
    key: str
    name: str
    nodes: tuple[FlowNode, ...]
    experiment: str | None = None


@dataclass(frozen=True)
class Filter:
    field: str
    operator: Literal["=", "!=", ">", ">=", "<", "<=", "in", "not_in", "is_null", "not_null"]
    value: Any = None


@dataclass(frozen=True)
class Segment:
    id: str
    name: str
    table: str
    filters: tuple[Filter, ...]
    description: str = ""

    @property
    def view_name(self) -> str:
        slug = "".join(ch if ch.isalnum() else "_" for ch in self.name.lower()).strip("_")
        while "__" in slug:
            slug = slug.replace("__", "_")
        return f"seg_{slug}"


@dataclass(frozen=True)
class Feature:
    """One input of the ground-truth response function, computed from a customer column.

    kind "numeric": (value - center) / spread, NULL -> 0; "equals": 1 when value == `value`;
    "is_null": 1 when the value is unknown.
    """

    name: str
    column: str
    kind: Literal["numeric", "equals", "is_null"] = "numeric"
    center: float = 0.0
    spread: float = 1.0
    value: Any = None


@dataclass(frozen=True)
class Arm:
    """The true response of one offer on one channel: P = sigmoid(intercept + sum(w * feature))."""

    offer: str
    channel: str
    intercept: float
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryFrom:
    """The interaction history is a journey table's impressions, row for row.

    The journey marks its impression rows in the boolean column `impression`, and gives each
    the customer (`customer`), the offer (`offer`), the channel (`channel`), whether it led to a
    positive outcome (`positive`) and when it happened (`at`, hours after the truth's `start`).
    """

    table: str
    customer: str
    offer: str
    channel: str = "_channel"
    positive: str = "_positive"
    impression: str = "_impression"
    at: str = "_hour"


@dataclass(frozen=True)
class GroundTruth:
    customer_table: str
    customer_id: str
    features: tuple[Feature, ...]
    arms: tuple[Arm, ...]
    positive_outcome: str
    negative_outcome: str
    # Interactions at scale 1, spread over `days` days from `start`.
    interactions: int
    start: date = date(2024, 1, 1)
    days: int = 90
    # The journey table whose impressions are the history (one story: see `HistoryFrom`);
    # None: interactions are sampled from the arms independently.
    history_from: HistoryFrom | None = None


@dataclass(frozen=True)
class Pack:
    key: str
    name: str
    description: str
    source: str
    testing_focus: str
    tables: tuple[Table, ...]
    categories: tuple[Category, ...]
    channels: tuple[Channel, ...]
    offers: tuple[Offer, ...]
    creatives: tuple[Creative, ...]
    outcome_types: tuple[OutcomeType, ...]
    models: tuple[AlgorithmModel, ...]
    ground_truth: GroundTruth
    qualification_rules: tuple[QualificationRule, ...] = ()
    contact_policies: tuple[ContactPolicy, ...] = ()
    experiments: tuple[Experiment, ...] = ()
    decision_flows: tuple[DecisionFlow, ...] = ()
    segments: tuple[Segment, ...] = ()
    csv_files: tuple[str, ...] = ()

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def sub_categories(self) -> tuple[tuple[Category, SubCategory], ...]:
        return tuple((cat, sub) for cat in self.categories for sub in cat.sub_categories)
