"""The platform entities a pack declares, each kind mapped onto its platform table.

The kinds and their references are data; the loader orders them with a topological sort and
removal walks that order backwards.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Any

from psycopg.types.json import Jsonb

from seedpacks.packs.describe import csv_format, table_fields
from seedpacks.packs.model import Pack


@dataclass(frozen=True)
class Kind:
    count_key: str
    table: str
    columns: tuple[str, ...]
    depends_on: tuple[str, ...]
    rows: Callable[[Pack, str], Iterator[Sequence[Any]]]


def _schemas(pack: Pack, pg_schema: str) -> Iterator[Sequence[Any]]:
    for t in pack.tables:
        fmt = csv_format(t)
        yield (
            f"{pack.key}:{t.name}",
            t.name,
            t.description,
            pg_schema,
            t.name,
            Jsonb(table_fields(t)),
            list(t.primary_key),
            Jsonb(fmt) if fmt else None,
        )


def _categories(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for c in pack.categories:
        yield c.id, c.name, c.description, Jsonb(dict(c.custom_fields))


def _sub_categories(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for cat, sub in pack.sub_categories:
        yield sub.id, cat.id, sub.name, sub.description


def _channels(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for ch in pack.channels:
        yield ch.id, ch.name, ch.channel_type, ch.delivery_mode, Jsonb(list(ch.placements))


def _offers(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for o in pack.offers:
        yield (
            o.id,
            o.category,
            o.sub_category,
            o.name,
            o.description,
            o.status,
            o.priority,
            o.business_value,
            o.budget,
            o.start_date,
            o.end_date,
            Jsonb(dict(o.attributes)),
        )


def _creatives(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for c in pack.creatives:
        yield (
            c.id,
            c.offer,
            c.channel,
            c.name,
            c.template_type,
            c.subject,
            c.headline,
            c.body,
            c.cta,
            c.weight,
        )


def _rules(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for r in pack.qualification_rules:
        yield (
            r.id,
            r.name,
            r.stage,
            r.rule_type,
            r.scope,
            r.scope_ref,
            Jsonb(dict(r.config)),
            r.priority,
        )


def _policies(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for p in pack.contact_policies:
        yield p.id, p.name, p.policy_type, p.scope, p.scope_ref, Jsonb(dict(p.config))


def _outcome_types(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for o in pack.outcome_types:
        yield o.id, o.key, o.name, o.classification


def _models(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for m in pack.models:
        yield m.id, m.key, m.name, m.model_type, Jsonb(dict(m.config)), Jsonb({})


def _experiments(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for e in pack.experiments:
        challengers = [model for model in e.traffic_split if model != e.champion]
        yield e.id, e.key, e.name, e.champion, Jsonb(challengers), Jsonb(dict(e.traffic_split))


def _flows(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for f in pack.decision_flows:
        nodes = [{"type": n.type, "config": dict(n.config)} for n in f.nodes]
        yield f.id, f.key, f.name, f.experiment, Jsonb(nodes)


def _segments(pack: Pack, _: str) -> Iterator[Sequence[Any]]:
    for s in pack.segments:
        filters = [{"field": f.field, "operator": f.operator, "value": f.value} for f in s.filters]
        yield s.id, s.name, s.description, f"{pack.key}:{s.table}", Jsonb(filters), s.view_name


KINDS: tuple[Kind, ...] = (
    Kind(
        "schemas",
        "data_schemas",
        (
            "id",
            "name",
            "description",
            "pg_schema",
            "table_name",
            "fields",
            "primary_key",
            "csv_mapping",
        ),
        (),
        _schemas,
    ),
    Kind(
        "categories", "categories", ("id", "name", "description", "custom_fields"), (), _categories
    ),
    Kind(
        "subCategories",
        "sub_categories",
        ("id", "category_id", "name", "description"),
        ("categories",),
        _sub_categories,
    ),
    Kind(
        "channels",
        "channels",
        ("id", "name", "channel_type", "delivery_mode", "placements"),
        (),
        _channels,
    ),
    Kind(
        "offers",
        "offers",
        (
            "id",
            "category_id",
            "sub_category_id",
            "name",
            "description",
            "status",
            "priority",
            "business_value",
            "budget",
            "start_date",
            "end_date",
            "attributes",
        ),
        ("categories", "subCategories"),
        _offers,
    ),
    Kind(
        "creatives",
        "creatives",
        (
            "id",
            "offer_id",
            "channel_id",
            "name",
            "template_type",
            "subject",
            "headline",
            "body",
            "cta",
            "weight",
        ),
        ("offers", "channels"),
        _creatives,
    ),
    Kind(
        "qualificationRules",
        "qualification_rules",
        ("id", "name", "stage", "rule_type", "scope", "scope_ref", "config", "priority"),
        ("offers", "channels", "categories"),
        _rules,
    ),
    Kind(
        "contactPolicies",
        "contact_policies",
        ("id", "name", "policy_type", "scope", "scope_ref", "config"),
        ("offers", "channels", "categories"),
        _policies,
    ),
    Kind(
        "outcomeTypes", "outcome_types", ("id", "key", "name", "classification"), (), _outcome_types
    ),
    Kind(
        "models",
        "algorithm_models",
        ("id", "key", "name", "model_type", "config", "state"),
        ("offers",),
        _models,
    ),
    Kind(
        "experiments",
        "experiments",
        ("id", "key", "name", "champion_model_id", "challengers", "traffic_split"),
        ("models",),
        _experiments,
    ),
    Kind(
        "decisionFlows",
        "decision_flows",
        ("id", "key", "name", "experiment_id", "nodes"),
        ("experiments", "models", "qualificationRules", "contactPolicies"),
        _flows,
    ),
    Kind(
        "segments",
        "segments",
        ("id", "name", "description", "schema_id", "filters", "view_name"),
        ("schemas",),
        _segments,
    ),
)

BY_KEY = {kind.count_key: kind for kind in KINDS}


def load_order() -> list[Kind]:
    """Return the kinds so that every kind comes after the kinds it references.

    Among kinds that are ready at the same time, declaration order wins, so the order is stable
    and reads like the API reference's.
    """
    position = {kind.count_key: i for i, kind in enumerate(KINDS)}
    sorter = TopologicalSorter({kind.count_key: set(kind.depends_on) for kind in KINDS})
    sorter.prepare()
    ready: list[str] = []
    order: list[Kind] = []
    while sorter.is_active():
        ready = sorted({*ready, *sorter.get_ready()}, key=position.__getitem__)
        key = ready.pop(0)
        order.append(BY_KEY[key])
        sorter.done(key)
    return order


def rows_with_keys(kind: Kind, pack: Pack, *, tenant: str, pg_schema: str) -> Iterator[list[Any]]:
    """Yield the kind's rows with tenant_id and dataset_key in front."""
    for row in kind.rows(pack, pg_schema):
        yield [tenant, pack.key, *row]
