"""Every pack of the catalogue: a valid declaration that loads and removes exactly through HTTP."""

import dataclasses

import httpx
import pytest
from psycopg_pool import ConnectionPool

from seedpacks.errors import InvalidPack
from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.validate import validate_pack
from tests.conftest import as_role
from tests.helpers import counts_in_database, tenant_footprint

BASE = "/api/v1/seed-dataset"
METADATA_COUNTS = (
    ("schemaCount", "schemas"),
    ("offerCount", "offers"),
    ("modelCount", "models"),
    ("channelCount", "channels"),
    ("categoryCount", "categories"),
    ("creativeCount", "creatives"),
)
FLOW = ["inventory", "match_creatives", "enrich", "qualify", "contact_policy", "score", "rank",
        "response"]  # fmt: skip


def test_a_ground_truth_arm_without_a_creative_is_refused() -> None:
    pack = PACKS["retail"]
    arm = pack.ground_truth.arms[7]
    creatives = tuple(c for c in pack.creatives if (c.offer, c.channel) != (arm.offer, arm.channel))
    with pytest.raises(InvalidPack, match=f"offer {arm.offer} has no creative on channel"):
        validate_pack(dataclasses.replace(pack, creatives=creatives))


@pytest.mark.parametrize("key", sorted(PACKS))
def test_the_declaration_is_valid_and_complete(key: str) -> None:
    pack = PACKS[key]
    validate_pack(pack)
    assert pack.categories and all(c.sub_categories for c in pack.categories)
    assert pack.channels and pack.offers and pack.creatives and pack.outcome_types
    assert {c.offer for c in pack.creatives} == {o.id for o in pack.offers}
    assert any(m.learns_from_history for m in pack.models)
    assert all(sum(e.traffic_split.values()) == 100 for e in pack.experiments)
    assert [[n.type for n in f.nodes] for f in pack.decision_flows] == [FLOW]
    for table in pack.tables:
        assert table.primary_key and table.rows > 0
        assert table.csv is not None, f"{table.name} declares no CSV mapping"
        names = {c.name for c in table.columns}
        assert set(table.csv.generated) <= names


@pytest.mark.parametrize("key", sorted(PACKS))
def test_counts_agree_from_listing_to_removal_and_nothing_is_left(
    key: str, client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    pack = PACKS[key]
    listed = next(
        d for d in client.get(BASE, headers=as_role(tenant)).json()["datasets"] if d["key"] == key
    )
    loaded = client.post(f"{BASE}/{key}", headers=as_role(tenant))
    assert loaded.status_code == 201, loaded.text
    counts = loaded.json()["counts"]
    assert {key: counts[name] for key, name in METADATA_COUNTS} == {
        key: listed[key] for key, _ in METADATA_COUNTS
    }
    for table in pack.tables:
        assert counts[table.count_key] == table.rows
    assert counts["interactions"] == pack.ground_truth.interactions
    assert counts["segments"] == len(pack.segments)
    assert (counts["segmentCustomers"] > 0) == bool(pack.segments)
    assert counts_in_database(pool, tenant, key) == counts
    assert_models_learned_the_history(pool, tenant, pack)

    removed = client.delete(f"{BASE}/{key}", headers=as_role(tenant))
    assert removed.status_code == 200, removed.text
    assert {name: removed.json()["counts"][name] for name in counts} == counts
    assert tenant_footprint(pool, tenant) == {}


def assert_models_learned_the_history(pool: ConnectionPool, tenant: str, pack: Pack) -> None:
    """Each history-learning model starts from each offer's positives and negatives as counted
    in the stored history itself (not in its summaries, which the loader wrote too)."""
    with pool.connection() as conn:
        counted = conn.execute(
            "SELECT i.offer_id, count(*) FILTER (WHERE o.classification = 'positive'),"
            " count(*) FILTER (WHERE o.classification = 'negative')"
            " FROM interactions i JOIN outcome_types o"
            "  ON o.tenant_id = i.tenant_id AND o.key = i.outcome"
            " WHERE i.tenant_id = %s GROUP BY i.offer_id",
            (tenant,),
        ).fetchall()
        states = dict(
            conn.execute(
                "SELECT id, state FROM algorithm_models WHERE tenant_id = %s", (tenant,)
            ).fetchall()
        )
    history = {offer: (int(p), int(n)) for offer, p, n in counted}
    assert sum(p + n for p, n in history.values()) > 0
    learners = [m for m in pack.models if m.learns_from_history]
    for model in learners:
        state = states[model.id]
        for offer in (o.id for o in pack.offers):
            p, n = history.get(offer, (0, 0))
            if model.model_type == "thompson_bandit":
                arm = state["arms"][offer]
                assert (arm["alpha"] - 1, arm["beta"] - 1) == (p, n), (model.id, offer)
            elif model.model_type == "epsilon_greedy":
                arm = state["arms"][offer]
                assert (arm["totalReward"], arm["pulls"]) == (p, p + n), (model.id, offer)
            else:
                posterior = state["posteriors"][offer]
                assert (posterior["positives"], posterior["trials"]) == (p, p + n)


def test_dependencies_that_cannot_hold_are_refused_with_every_reason() -> None:
    pack = PACKS["starbucks"]
    customers = pack.table("starbucks_customers")
    (copula,) = customers.copulas
    wrong = (
        dataclasses.replace(copula, correlation=((1.0, 0.5), (0.4, 1.0))),
        dataclasses.replace(copula, name="too_strong", correlation=((1.0, 1.2), (1.2, 1.0))),
        dataclasses.replace(copula, name="elsewhere", columns=("age", "shoe_size")),
    )
    # Income follows age and gender: moved before them, it would read columns not yet made.
    columns = tuple(c for c in customers.columns if c.name == "income") + tuple(
        c for c in customers.columns if c.name != "income"
    )
    broken = dataclasses.replace(customers, copulas=wrong, columns=columns)
    events = dataclasses.replace(pack.table("starbucks_events"), scales=False)
    tables = tuple(
        broken if t.name == customers.name else events if t.name == events.name else t
        for t in pack.tables
    )
    with pytest.raises(InvalidPack) as raised:
        validate_pack(dataclasses.replace(pack, tables=tables))
    message = str(raised.value)
    assert "copula 'age_income': the correlation matrix must be symmetric" in message
    assert "copula 'too_strong': the correlation matrix is not positive definite" in message
    assert "copula 'elsewhere' names unknown or repeated columns" in message
    assert (
        "starbucks_customers.income depends on 'gender', which is not a column declared" in message
    )
    assert "a journey builds whole scale units of customers" in message
