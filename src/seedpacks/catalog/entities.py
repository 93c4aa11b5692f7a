"""The platform entities the read API lists, declared as data: path, table, typed fields.

One declaration drives both the SQL (which columns, in which order) and the response schema in
the OpenAPI document, so the two cannot drift apart.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

JSON = Any


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Field:
    column: str
    type: Any
    nullable: bool = False

    @property
    def name(self) -> str:
        return camel(self.column)


@dataclass(frozen=True)
class Entity:
    path: str
    table: str
    title: str
    # The name of one item's schema in the OpenAPI document.
    model_name: str
    fields: tuple[Field, ...]


def _f(column: str, type_: Any = str, *, nullable: bool = False) -> Field:
    return Field(column, type_, nullable)


_ID, _KEY, _NAME = _f("id"), _f("dataset_key"), _f("name")

ENTITIES: tuple[Entity, ...] = (
    Entity(
        "schemas",
        "data_schemas",
        "data schemas",
        "DataSchema",
        (
            _ID,
            _KEY,
            _NAME,
            _f("description"),
            _f("pg_schema"),
            _f("table_name"),
            _f("fields", list[dict[str, JSON]]),
            _f("primary_key", list[str]),
            _f("csv_mapping", dict[str, JSON], nullable=True),
        ),
    ),
    Entity(
        "categories",
        "categories",
        "offer categories",
        "Category",
        (_ID, _KEY, _NAME, _f("description"), _f("custom_fields", dict[str, JSON])),
    ),
    Entity(
        "channels",
        "channels",
        "channels",
        "Channel",
        (
            _ID,
            _KEY,
            _NAME,
            _f("channel_type"),
            _f("delivery_mode"),
            _f("placements", list[JSON]),
        ),
    ),
    Entity(
        "offers",
        "offers",
        "offers",
        "Offer",
        (
            _ID,
            _KEY,
            _f("category_id"),
            _f("sub_category_id", nullable=True),
            _NAME,
            _f("description"),
            _f("status"),
            _f("priority", int),
            _f("business_value", float),
            _f("budget", float, nullable=True),
            _f("start_date", date, nullable=True),
            _f("end_date", date, nullable=True),
            _f("attributes", dict[str, JSON]),
        ),
    ),
    Entity(
        "creatives",
        "creatives",
        "creatives",
        "Creative",
        (
            _ID,
            _KEY,
            _f("offer_id"),
            _f("channel_id"),
            _NAME,
            _f("template_type"),
            _f("subject", nullable=True),
            _f("headline", nullable=True),
            _f("body", nullable=True),
            _f("cta", nullable=True),
            _f("weight", int),
        ),
    ),
    Entity(
        "qualification-rules",
        "qualification_rules",
        "qualification rules",
        "QualificationRule",
        (
            _ID,
            _KEY,
            _NAME,
            _f("stage"),
            _f("rule_type"),
            _f("scope"),
            _f("scope_ref", nullable=True),
            _f("config", dict[str, JSON]),
            _f("priority", int),
            _f("active", bool),
        ),
    ),
    Entity(
        "contact-policies",
        "contact_policies",
        "contact policies",
        "ContactPolicy",
        (
            _ID,
            _KEY,
            _NAME,
            _f("policy_type"),
            _f("scope"),
            _f("scope_ref", nullable=True),
            _f("config", dict[str, JSON]),
            _f("active", bool),
        ),
    ),
    Entity(
        "outcome-types",
        "outcome_types",
        "outcome types",
        "OutcomeType",
        (_ID, _KEY, _f("key"), _NAME, _f("classification")),
    ),
    Entity(
        "algorithm-models",
        "algorithm_models",
        "algorithm models",
        "AlgorithmModel",
        (
            _ID,
            _KEY,
            _f("key"),
            _NAME,
            _f("model_type"),
            _f("config", dict[str, JSON]),
            _f("state", dict[str, JSON]),
        ),
    ),
    Entity(
        "experiments",
        "experiments",
        "experiments",
        "Experiment",
        (
            _ID,
            _KEY,
            _f("key"),
            _NAME,
            _f("champion_model_id"),
            _f("challengers", list[JSON]),
            _f("traffic_split", dict[str, JSON]),
            _f("status"),
        ),
    ),
    Entity(
        "decision-flows",
        "decision_flows",
        "decision flows",
        "DecisionFlow",
        (
            _ID,
            _KEY,
            _f("key"),
            _NAME,
            _f("experiment_id", nullable=True),
            _f("nodes", list[dict[str, JSON]]),
            _f("status"),
        ),
    ),
    Entity(
        "segments",
        "segments",
        "segments",
        "Segment",
        (
            _ID,
            _KEY,
            _NAME,
            _f("description"),
            _f("schema_id"),
            _f("filters", list[dict[str, JSON]]),
            _f("view_name"),
            _f("customer_count", int),
        ),
    ),
)

SUMMARY_FIELDS: tuple[Field, ...] = (
    _f("customer_id"),
    _f("offer_id"),
    _f("channel_id"),
    _KEY,
    _f("impressions", int),
    _f("positives", int),
    _f("negatives", int),
    _f("last_contact_at", datetime, nullable=True),
)
