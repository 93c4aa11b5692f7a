"""Check a whole pack declaration before anything touches the database."""

from collections import Counter
from collections.abc import Iterable
from graphlib import CycleError, TopologicalSorter

import numpy as np

from seedpacks.errors import InvalidPack
from seedpacks.packs.depend import Dependent
from seedpacks.packs.model import ContactPolicy, Pack, QualificationRule, Table

FLOW_NODES = (
    "inventory",
    "match_creatives",
    "enrich",
    "qualify",
    "contact_policy",
    "score",
    "rank",
    "response",
)
HISTORY_MODELS = ("thompson_bandit", "epsilon_greedy", "bayesian")


def _duplicates(kind: str, ids: Iterable[str]) -> list[str]:
    return [f"{kind} id '{i}' is declared {n} times" for i, n in Counter(ids).items() if n > 1]


def table_order(pack: Pack) -> list[str]:
    """Return the pack's tables so that referenced tables come first."""
    graph = {t.name: {r.table for r in t.references if r.table != t.name} for t in pack.tables}
    return list(TopologicalSorter(graph).static_order())


def _dependencies(t: Table, tables: dict[str, Table]) -> list[str]:
    """Return the problems of what ties `t`'s columns together: dependencies on later or unknown
    columns, copulas that are no correlation matrix, journeys of customers that do not scale."""
    problems: list[str] = []
    order = [c.name for c in t.columns]
    for position, col in enumerate(t.columns):
        if isinstance(col.generate, Dependent):
            for name in col.generate.on:
                other, _, column = name.rpartition(".")  # "table.column": another table's
                if other and other in tables and column in [c.name for c in tables[other].columns]:
                    continue
                if name not in order[:position]:
                    problems.append(
                        f"{t.name}.{col.name} depends on '{name}', which is not a column "
                        "declared before it"
                    )
    for copula in t.copulas:
        where = f"{t.name}: copula '{copula.name}'"
        unknown = [c for c in copula.columns if c not in order]
        if unknown or len(set(copula.columns)) != len(copula.columns):
            problems.append(f"{where} names unknown or repeated columns {list(copula.columns)}")
        matrix = np.asarray(copula.correlation, dtype=np.float64)
        k = len(copula.columns)
        if matrix.shape != (k, k):
            problems.append(f"{where}: the correlation matrix must be {k} x {k}")
        elif not (np.allclose(matrix, matrix.T) and np.allclose(np.diag(matrix), 1.0)):
            problems.append(
                f"{where}: the correlation matrix must be symmetric with ones on its diagonal"
            )
        elif np.linalg.eigvalsh(matrix).min() <= 0:
            problems.append(f"{where}: the correlation matrix is not positive definite")
    journey = t.journey
    if journey is not None:
        customers = tables.get(journey.customers)
        if customers is None:
            problems.append(f"{t.name}: journey of unknown customer table '{journey.customers}'")
        elif not (customers.scales and t.scales):
            problems.append(
                f"{t.name}: a journey builds whole scale units of customers, so both "
                f"{t.name} and {journey.customers} must grow with the scale"
            )
    return problems


def validate_pack(pack: Pack) -> None:
    """Raise InvalidPack listing every problem of the declaration, or return."""
    problems = pack_problems(pack)
    if problems:
        raise InvalidPack(f"Pack '{pack.key}' is not valid: " + "; ".join(problems))


def pack_problems(pack: Pack) -> list[str]:
    """Return every problem of the declaration, one sentence each."""
    problems: list[str] = []
    tables = {t.name: t for t in pack.tables}
    problems += _duplicates("table", [t.name for t in pack.tables])
    for t in pack.tables:
        names = [c.name for c in t.columns]
        problems += _duplicates(f"column of {t.name}", names)
        problems += [
            f"{t.name}: primary key column '{c}' is not a column"
            for c in t.primary_key
            if c not in names
        ]
        for ref in t.references:
            if ref.column not in names:
                problems.append(f"{t.name}: reference from unknown column '{ref.column}'")
            if ref.table not in tables or ref.target not in [
                c.name for c in tables[ref.table].columns
            ]:
                problems.append(
                    f"{t.name}.{ref.column} references unknown {ref.table}.{ref.target}"
                )
        problems += _dependencies(t, tables)
    source = pack.ground_truth.history_from
    if source is not None and (source.table not in tables or tables[source.table].journey is None):
        problems.append(f"the history comes from '{source.table}', which is no journey table")
    try:
        table_order(pack)
    except CycleError as exc:
        problems.append(f"tables reference each other in a cycle: {exc.args[1]}")

    categories = {c.id: c for c in pack.categories}
    channels = {c.id for c in pack.channels}
    offers = {o.id for o in pack.offers}
    models = {m.id for m in pack.models}
    experiments = {e.id for e in pack.experiments}
    outcomes = {o.key: o.classification for o in pack.outcome_types}
    for kind, ids in (
        ("category", [c.id for c in pack.categories]),
        ("channel", [c.id for c in pack.channels]),
        ("offer", [o.id for o in pack.offers]),
        ("creative", [c.id for c in pack.creatives]),
        ("sub-category", [s.id for _, s in pack.sub_categories]),
        ("rule", [r.id for r in pack.qualification_rules]),
        ("policy", [p.id for p in pack.contact_policies]),
        ("model", [m.id for m in pack.models]),
        ("segment", [s.id for s in pack.segments]),
        ("outcome type", [o.key for o in pack.outcome_types]),
    ):
        problems += _duplicates(kind, ids)
    for o in pack.offers:
        if o.category not in categories:
            problems.append(f"offer {o.id}: unknown category '{o.category}'")
        elif o.sub_category and o.sub_category not in {
            s.id for s in categories[o.category].sub_categories
        }:
            problems.append(f"offer {o.id}: sub-category '{o.sub_category}' is not in its category")
        if not 0 <= o.priority <= 100:
            problems.append(f"offer {o.id}: priority {o.priority} is outside 0-100")
    for c in pack.creatives:
        if c.offer not in offers or c.channel not in channels:
            problems.append(f"creative {c.id}: unknown offer '{c.offer}' or channel '{c.channel}'")
    scopes = {"offer": offers, "channel": channels, "category": set(categories)}
    scoped: list[QualificationRule | ContactPolicy] = [
        *pack.qualification_rules,
        *pack.contact_policies,
    ]
    for item in scoped:
        if item.scope in scopes and item.scope_ref not in scopes[item.scope]:
            problems.append(f"{item.id}: scope {item.scope} '{item.scope_ref}' does not exist")
    for m in pack.models:
        if m.learns_from_history and m.model_type not in HISTORY_MODELS:
            problems.append(f"model {m.id}: a {m.model_type} cannot learn from the history")
    for e in pack.experiments:
        if e.champion not in e.traffic_split:
            problems.append(f"experiment {e.id}: the champion has no share of the traffic")
        if set(e.traffic_split) - models:
            problems.append(
                f"experiment {e.id}: unknown models {sorted(set(e.traffic_split) - models)}"
            )
        if sum(e.traffic_split.values()) != 100:
            problems.append(
                f"experiment {e.id}: traffic split sums to {sum(e.traffic_split.values())}, not 100"
            )
    for f in pack.decision_flows:
        if f.experiment and f.experiment not in experiments:
            problems.append(f"flow {f.id}: unknown experiment '{f.experiment}'")
        types = [n.type for n in f.nodes]
        if any(t not in FLOW_NODES for t in types) or types != sorted(types, key=FLOW_NODES.index):
            problems.append(f"flow {f.id}: nodes {types} are not in the order {list(FLOW_NODES)}")
    for s in pack.segments:
        if s.table not in tables:
            problems.append(f"segment {s.id}: unknown table '{s.table}'")
            continue
        columns = {c.name for c in tables[s.table].columns}
        problems += [
            f"segment {s.id}: unknown column '{flt.field}'"
            for flt in s.filters
            if flt.field not in columns
        ]
    problems += _validate_truth(pack, tables, offers, channels, outcomes)
    return problems


def _validate_truth(pack, tables, offers, channels, outcomes) -> list[str]:  # type: ignore[no-untyped-def]
    truth = pack.ground_truth
    problems = []
    table = tables.get(truth.customer_table)
    if table is None:
        return [f"ground truth: unknown customer table '{truth.customer_table}'"]
    columns = {c.name for c in table.columns}
    if truth.customer_id not in columns:
        problems.append(f"ground truth: unknown customer id column '{truth.customer_id}'")
    problems += [
        f"ground truth: feature {f.name} reads unknown column '{f.column}'"
        for f in truth.features
        if f.column not in columns
    ]
    features = {f.name for f in truth.features}
    # A set, not a scan of the creatives per arm: retail's 240 arms x 300 creatives cost 11 ms
    # of every load.
    covered = {(c.offer, c.channel) for c in pack.creatives}
    for arm in truth.arms:
        if arm.offer not in offers or arm.channel not in channels:
            problems.append(
                f"ground truth: arm {arm.offer}/{arm.channel} names an unknown offer or channel"
            )
        elif (arm.offer, arm.channel) not in covered:
            problems.append(
                f"ground truth: offer {arm.offer} has no creative on channel {arm.channel}"
            )
        problems += [
            f"ground truth: arm {arm.offer}/{arm.channel} weighs unknown feature '{w}'"
            for w in arm.weights
            if w not in features
        ]
    if not truth.arms:
        problems.append("ground truth: no arms")
    if outcomes.get(truth.positive_outcome) != "positive":
        problems.append(f"ground truth: '{truth.positive_outcome}' is not a positive outcome type")
    if outcomes.get(truth.negative_outcome) != "negative":
        problems.append(f"ground truth: '{truth.negative_outcome}' is not a negative outcome type")
    return problems
