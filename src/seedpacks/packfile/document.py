"""The pack file document: every section of a `Pack`, field for field, as pydantic models.

Their field descriptions are the JSON Schema's (`GET /api/v1/pack-schema`); a key the models
do not name is an error, not ignored. A column's generator is a mapping of one kind (kinds.py).
"""

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from seedpacks.packfile import kinds
from seedpacks.seeding.validate import FLOW_NODES

if TYPE_CHECKING:
    Generate = BaseModel
else:
    Generate = kinds.Generate

Name = Annotated[
    str,
    Field(
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="lowercase letters, digits and _, as a PostgreSQL name",
    ),
]
Id = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=10_000)]
Config = dict[str, JsonValue]
# numeric(14, 2) in the platform tables.
Money = Annotated[float, Field(gt=-(10**12), lt=10**12)]
ColumnType = Literal["text", "integer", "bigint", "decimal", "boolean", "date", "timestamp", "json"]


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class SubCategory(Doc):
    id: Id
    name: Text
    description: Text = ""


class Category(Doc):
    id: Id
    name: Text
    description: Text = ""
    custom_fields: Config = {}
    sub_categories: list[SubCategory] = []


class Channel(Doc):
    id: Id
    name: Text
    channel_type: Literal[
        "email",
        "push",
        "sms",
        "in_app",
        "web",
        "social",
        "phone",
        "direct_mail",
        "branch",
        "call_center",
        "atm",
        "kiosk",
    ]
    delivery_mode: Literal["api", "file", "manual"] = "api"
    placements: list[Text] = []


class Offer(Doc):
    id: Id
    name: Text
    category: Id = Field(description="a category id of this file")
    sub_category: Id | None = Field(default=None, description="a sub-category id of that category")
    description: Text = ""
    status: Literal["active", "draft", "paused", "archived"] = "active"
    priority: int = Field(default=50, ge=0, le=100)
    business_value: Money = 0.0
    budget: Money | None = None
    start_date: date | None = Field(default=None, description="YYYY-MM-DD")
    end_date: date | None = Field(default=None, description="YYYY-MM-DD")
    attributes: Config = {}


class Creative(Doc):
    id: Id
    offer: Id = Field(description="an offer id of this file")
    channel: Id = Field(description="a channel id of this file")
    name: Text
    template_type: Text
    subject: Text | None = None
    headline: Text | None = None
    body: Text | None = None
    cta: Text | None = None
    weight: int = Field(default=100, ge=0, le=100)


Scope = Literal["global", "offer", "channel", "category"]


class QualificationRule(Doc):
    id: Id
    name: Text
    stage: Literal["eligibility", "fit", "match"]
    rule_type: Literal[
        "attribute_condition",
        "segment_required",
        "propensity_threshold",
        "recency_check",
        "metric_condition",
    ]
    config: Config
    scope: Scope = "global"
    scope_ref: Id | None = Field(
        default=None, description="the offer, channel or category id scoped to"
    )
    priority: int = Field(default=0, ge=-(2**31), lt=2**31)


class ContactPolicy(Doc):
    id: Id
    name: Text
    policy_type: Literal[
        "frequency_cap",
        "cooldown",
        "mutual_exclusion",
        "outcome_based",
        "segment_exclusion",
        "budget_cap",
    ]
    config: Config
    scope: Scope = "global"
    scope_ref: Id | None = None


class OutcomeType(Doc):
    id: Id
    key: Id
    name: Text
    classification: Literal["positive", "negative", "neutral"]


class Model(Doc):
    id: Id
    key: Id
    name: Text
    model_type: Literal[
        "priority_weighted",
        "scorecard",
        "thompson_bandit",
        "epsilon_greedy",
        "bayesian",
        "logistic_regression",
        "gradient_boosted",
    ]
    config: Config = {}
    learns_from_history: bool = Field(
        default=False, description="a bandit starts from the pack's interaction history"
    )


class Experiment(Doc):
    id: Id
    key: Id
    name: Text
    champion: Id = Field(description="a model id")
    traffic_split: dict[str, Annotated[int, Field(ge=0, le=100)]] = Field(
        description="percent per model id; sums to 100"
    )


class FlowNode(Doc):
    # The flow's own list of node types (one list for the loader, decisions and files).
    type: Literal[FLOW_NODES]  # type: ignore[valid-type]
    config: Config = {}


class DecisionFlow(Doc):
    id: Id
    key: Id
    name: Text
    experiment: Id | None = Field(default=None, description="an experiment id")
    nodes: list[FlowNode] = Field(description="in the order inventory ... response")


Operator = Literal["=", "!=", ">", ">=", "<", "<=", "in", "not_in", "is_null", "not_null"]


class Filter(Doc):
    field: Name
    operator: Operator
    value: JsonValue = None


class Segment(Doc):
    id: Id
    name: Text
    table: Name
    description: Text = ""
    filters: list[Filter]


class CsvParse(Doc):
    @model_validator(mode="before")
    @classmethod
    def _words(cls, data: Any) -> Any:
        # YAML reads the keys true: and false: as booleans; they name the words here.
        if isinstance(data, dict):
            return {str(k).lower() if isinstance(k, bool) else k: v for k, v in data.items()}
        return data

    true: list[Text] | None = Field(default=None, description="words read as true: [Yes, Y]")
    false: list[Text] | None = Field(default=None, description="words read as false")
    date_formats: list[Text] | None = Field(
        default=None, description='strftime formats of a date or time: ["%d/%m/%Y"]'
    )


class CsvDerive(Doc):
    column: Text = Field(description="a JSON column of the file")
    json_keys: list[Text] | None = Field(default=None, description="its keys holding the value")


class CsvColumn(Doc):
    aliases: list[Text] = []
    sentinels: list[Text] = Field(default=[], description="values read as NULL")
    parse: CsvParse = CsvParse()
    derive: CsvDerive | None = Field(
        default=None, description="read from a JSON column of the file when it has no own column"
    )
    required: bool = False


class MissingTogether(Doc):
    stream: Name = Field(description="columns naming the same stream are NULL in the same rows")
    share: float = Field(ge=0, le=1)


class Column(Doc):
    name: Name
    type: ColumnType
    nullable: bool = True
    description: Text = ""
    decimals: int = Field(default=2, ge=0, le=12, description="digits after the point of a decimal")
    csv: CsvColumn = CsvColumn()
    generate: Generate
    missing: float | None = Field(default=None, ge=0, le=1, description="share of rows left NULL")
    missing_together: MissingTogether | None = None


class Reference(Doc):
    column: Name
    table: Name
    target: Name


class Copula(Doc):
    name: Name
    columns: list[Name] = Field(min_length=2)
    correlation: list[list[float]] = Field(description="symmetric, ones on the diagonal")
    description: Text = ""


class DropWhen(Doc):
    column: Name
    operator: Operator
    value: JsonValue = None


class DropRule(Doc):
    when: DropWhen
    reason: Text = "dropped"


class CsvMapping(Doc):
    description: Text = ""
    delimiters: list[Annotated[str, Field(pattern=r'^[^"\r\n]$')]] = [",", ";", "\t"]
    drop_rows: list[DropRule] = Field(default=[], description="rows of the file left out, and why")
    generated: list[Name] = Field(
        default=[], description="columns generated when the file lacks them"
    )


class Table(Doc):
    name: Name
    description: Text = ""
    rows: int = Field(ge=1, description="rows at scale 1")
    scales: bool = Field(default=True, description="rows multiply by the scale")
    primary_key: list[Name] = Field(min_length=1)
    indexes: list[Annotated[list[Name], Field(min_length=1)]] = []
    references: list[Reference] = []
    copulas: list[Copula] = []
    csv: CsvMapping | None = Field(default=CsvMapping(), description="null: no CSV upload")
    columns: list[Column] = Field(min_length=1)


class Feature(Doc):
    name: Id
    column: Name
    kind: Literal["numeric", "equals", "is_null"] = "numeric"
    center: float = 0.0
    spread: float = Field(default=1.0, gt=0)
    value: JsonValue = None


class Arm(Doc):
    offer: Id
    channel: Id
    intercept: float
    weights: dict[str, float] = Field(default={}, description="weight per feature name")


class GroundTruth(Doc):
    customer_table: Name
    customer_id: Name
    positive_outcome: Id = Field(description="an outcome type key classified positive")
    negative_outcome: Id = Field(description="an outcome type key classified negative")
    interactions: int = Field(ge=1, description="history rows at scale 1")
    start: date = date(2024, 1, 1)
    days: int = Field(default=90, ge=1, le=3660)
    features: list[Feature] = []
    arms: list[Arm] = Field(min_length=1)


class PackDocument(Doc):
    """A seedpacks pack file (format seedpacks/v1)."""

    model_config = ConfigDict(title="seedpacks pack file")

    format: Literal["seedpacks/v1"]
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,39}$", description="the pack's key")
    name: Text
    description: Text = ""
    source: Text = Field(default="synthetic", description="where the data comes from")
    testing_focus: Text = ""
    categories: list[Category]
    channels: list[Channel]
    offers: list[Offer]
    creatives: list[Creative]
    qualification_rules: list[QualificationRule] = []
    contact_policies: list[ContactPolicy] = []
    outcome_types: list[OutcomeType]
    models: list[Model]
    experiments: list[Experiment] = []
    decision_flows: list[DecisionFlow] = []
    segments: list[Segment] = []
    tables: list[Table] = Field(min_length=1)
    ground_truth: GroundTruth
    csv_files: list[Text] = []
