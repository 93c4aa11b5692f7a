"""The success bodies of the API as pydantic models, for the OpenAPI document.

They document what the service functions return, and tests/api/test_openapi.py checks live
answers against them; the routes still return those plain dicts, so a model never reshapes an
answer. The examples (examples.json) are answers of a real run, starbucks at seed 42, scale 1,
shortened only where a list repeats itself.
"""

import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EXAMPLES: dict[str, Any] = json.loads(
    (resources.files("seedpacks.api") / "examples.json").read_text(encoding="utf-8")
)
Counts = dict[str, int]


class _Open(BaseModel):
    """A body that may carry more fields than the ones named (later additions, context)."""

    model_config = ConfigDict(extra="allow")


class DatasetSummary(_Open):
    key: str
    name: str
    description: str
    source: str = Field(description='"builtin" (of the package) or "custom" (the tenant\'s own)')
    dataSource: str = Field(description="where the pack's data comes from (kaggle, synthetic, ...)")
    csvFiles: list[str]
    testingFocus: str
    schemaCount: int
    offerCount: int
    modelCount: int
    channelCount: int
    categoryCount: int
    creativeCount: int
    loaded: bool = Field(False, description="whether it is the tenant's loaded pack")


class Deleted(_Open):
    message: str
    datasetKey: str


class DatasetList(_Open):
    datasets: list[DatasetSummary]
    currentlyLoaded: str | None = Field(description="the key of the tenant's loaded pack")


class TableFingerprint(BaseModel):
    rows: int
    # The sum of the rows' 64-bit hashes (seeding/manifest.py), as digits: beyond JSON's numbers.
    hashSum: str = Field(pattern="^-?[0-9]+$")


class Loaded(_Open):
    message: str
    counts: Counts = Field(description="the reference's keys plus one <table>_rows per table")
    datasetKey: str
    seed: int
    scale: int
    replaced: str | None = Field(description="the pack a forced load removed first")
    manifest: dict[str, TableFingerprint] = Field(
        description="per table and for the history: rows, and a SHA-256 of the rows as "
        "COPY TO STDOUT prints them in primary-key order"
    )


class Removed(_Open):
    message: str
    counts: Counts
    datasetKey: str


class Description(_Open):
    key: str
    name: str
    description: str
    source: str
    testingFocus: str
    scale: int
    entities: dict[str, list[dict[str, Any]]] = Field(description="every entity as declared")
    tables: list[dict[str, Any]] = Field(description="columns, keys and accepted CSV format")
    plannedCounts: dict[str, int | None] = Field(description="the load's counts at this scale")
    unknownUntilLoaded: dict[str, str]
    groundTruth: dict[str, Any] = Field(description="the response model the history is drawn from")


class Status(_Open):
    status: Literal["idle", "running", "completed", "failed"]
    step: str = Field(description="the current step; empty when idle")
    progress: int = Field(ge=0, le=100)
    operation: Literal["load", "remove", "upload"] | None = None
    datasetKey: str | None = None
    startedAt: str | None = Field(None, description="ISO 8601, UTC")
    finishedAt: str | None = Field(None, description="ISO 8601, UTC")
    error: str | None = Field(None, description="why a failed operation failed")
    seed: int | None = Field(None, description="a completed load's seed")
    scale: int | None = Field(None, description="a completed load's scale")


class Uploaded(_Open):
    message: str
    rowsInserted: int
    schemaName: str
    datasetKey: str
    rowsDropped: dict[str, int] = Field(description="rows the mapping dropped, by reason")
    ignoredColumns: list[str]
    interactionsRemoved: int = Field(description="history of customers no longer present")


class Creative(BaseModel):
    templateType: str | None
    subject: str | None
    headline: str | None
    body: str | None
    cta: str | None


class Decision(_Open):
    rank: int = Field(ge=1)
    offerId: str
    offerName: str
    categoryName: str | None
    creativeId: str | None
    creative: Creative
    score: float
    modelKey: str


class Recommendation(_Open):
    recommendationId: str
    customerId: str
    channel: str
    decisionFlowKey: str
    decidedAt: str = Field(description="ISO 8601")
    count: int
    decisions: list[Decision]
    traceSummary: dict[str, int]
    trace: list[dict[str, Any]] | None = Field(None, description="with debug: every node's work")


class ModelUpdate(BaseModel):
    modelKey: str
    modelType: str
    arm: dict[str, float]


class Response(_Open):
    recorded: bool
    recommendationId: str
    customerId: str
    rank: int
    offerId: str
    outcome: str
    classification: Literal["positive", "negative", "neutral"]
    occurredAt: str = Field(description="ISO 8601")
    modelUpdates: list[ModelUpdate]
    idempotencyKey: str


class Rates(_Open):
    flow: float | None = Field(description="the flow's realised rate; null for other policies")
    random: float = Field(description="expected, a uniformly random offer per decision")
    bestSingleOffer: float = Field(description="expected, the best single offer in hindsight")
    oracle: float = Field(description="expected, each customer's best offer")
    policy: float = Field(description="the policy's realised rate")
    policyExpected: float = Field(description="the policy's expected rate, from the truth")


class CurvePoint(_Open):
    """The rates after `decisions` decisions: the chart's points."""

    decisions: int = Field(ge=1)
    cumulativeRegret: float
    positiveRate: float = Field(ge=0, le=1, description="realised so far")
    expectedRate: float = Field(ge=0, le=1, description="the chosen offers' true mean")
    randomRate: float = Field(ge=0, le=1)
    oracleRate: float = Field(ge=0, le=1)


class Clock(_Open):
    start: str = Field(description="ISO 8601")
    end: str = Field(description="ISO 8601")
    secondsPerDecision: float
    daysBetweenVisits: float


class SimulationResult(_Open):
    pack: str
    policy: Literal["flow", "random", "oracle"]
    channel: str
    decisions: int
    positiveRate: Rates
    bestSingleOfferId: str
    decisionsWithoutOffer: int
    regret: list[CurvePoint] = Field(description="about 20 points over the run")
    clock: Clock


class Simulation(_Open):
    simulationId: str
    status: Literal["running", "completed", "failed"]
    datasetKey: str
    decisions: int
    policy: Literal["flow", "random", "oracle"]
    seed: int
    channel: str | None
    decisionsDone: int | None = None
    result: SimulationResult | None = Field(None, description="the rates, once completed")
    message: str | None = Field(None, description="why a failed simulation failed")


class Health(BaseModel):
    status: Literal["ok"]


class ValueCount(_Open):
    value: str | None = Field(description="the value as text; null for the other values")
    count: int = Field(ge=0)
    other: bool | None = Field(None, description="true: all values beyond the top ones")


class ColumnProfile(_Open):
    name: str
    type: str
    nullShare: float = Field(ge=0, le=1)
    chart: Literal["histogram", "bars", "none"]
    edges: list[float | str] | None = Field(
        None, description="histogram: bins + 1 edges (numbers; dates as ISO 8601)"
    )
    counts: list[int] | None = Field(None, description="histogram: rows per bin")
    values: list[ValueCount] | None = Field(None, description="bars: the top values")
    distinct: int | None = Field(None, description="none: how many distinct values")


class TableProfile(_Open):
    schemaName: str
    datasetKey: str
    rows: int
    profiledRows: int
    sampled: bool
    columns: list[ColumnProfile] = Field(
        description="per column: histogram (numbers, dates), bars (categories) or none (an "
        "identifier)"
    )


class OfferName(_Open):
    id: str
    name: str


class ArmRates(_Open):
    datasetKey: str
    customers: int
    profiledCustomers: int
    sampled: bool
    offers: list[OfferName]
    channels: list[str]
    rates: list[list[float | None]] = Field(
        description="rates[i][j]: offer i on channel j; null where the offer has no arm there"
    )


class GroundTruthFile(_Open):
    datasetKey: str
    seed: int
    scale: int
    formula: str
    arms: list[dict[str, Any]]


class PackSchema(_Open):
    """The JSON Schema (draft 2020-12) a pack file follows."""

    schema_: str = Field(alias="$schema")
    id_: str = Field(alias="$id")
    title: str
    type: Literal["object"]
    properties: dict[str, Any] = Field(description="the file's sections")
    required: list[str]
    defs: dict[str, Any] = Field(alias="$defs", description="the sections' own schemas")
