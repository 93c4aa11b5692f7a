"""Recommend through HTTP on every registered pack: eligibility, creatives, caps, recording."""

from collections.abc import Callable

import httpx
import pytest
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from seedpacks.decisioning.setup import invalidate
from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.decisioning.helpers import DAY, condition_holds, customers, qualifying, recommend
from tests.helpers import tenant_footprint

Loaded = Callable[[str], str]
ALL_PACKS = pytest.mark.parametrize("key", sorted(PACKS))


def _applies(scope: str, ref: str | None, offer_id: str, channel: str, pack: Pack) -> bool:
    offer = next(o for o in pack.offers if o.id == offer_id)
    return {
        "global": True,
        "offer": offer.id == ref,
        "category": offer.category == ref,
        "channel": channel == ref,
    }[scope]


@ALL_PACKS
def test_recommend_returns_only_eligible_offers_with_a_creative_for_the_channel(
    key: str, client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS[key], loaded_tenant(key)
    rows = customers(pool, tenant, pack)
    active = {o.id for o in pack.offers if o.status == "active"}
    served = 0
    for n, channel in enumerate(pack.channels):
        for row in rows[n * 3 : n * 3 + 3]:
            customer = str(row[pack.ground_truth.customer_id])
            response = recommend(
                client,
                tenant,
                customerId=customer,
                channel=channel.name if n % 2 else channel.id,
                limit=50,
                context={"time": f"{DAY}T09:00:00Z"},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["customerId"] == customer and body["channel"] == channel.id
            summary = body["traceSummary"]
            assert body["count"] == len(body["decisions"]) <= summary["afterContactPolicy"]
            assert summary["afterContactPolicy"] <= summary["afterQualification"]
            assert summary["afterQualification"] <= summary["totalCandidates"]
            assert [d["rank"] for d in body["decisions"]] == list(range(1, body["count"] + 1))
            for decision in body["decisions"]:
                served += 1
                assert decision["offerId"] in active
                creative = next(c for c in pack.creatives if c.id == decision["creativeId"])
                assert (creative.offer, creative.channel) == (decision["offerId"], channel.id)
                assert decision["creative"]["headline"] == creative.headline
                for rule in pack.qualification_rules:
                    if rule.stage == "match" or rule.rule_type != "attribute_condition":
                        continue
                    if _applies(rule.scope, rule.scope_ref, decision["offerId"], channel.id, pack):
                        assert condition_holds(row, dict(rule.config)) is not False, rule.id
    assert served > 0


@ALL_PACKS
def test_a_customer_failing_an_eligibility_rule_never_gets_that_offer(
    key: str, client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS[key], loaded_tenant(key)
    rows = customers(pool, tenant, pack)
    id_column = pack.ground_truth.customer_id
    channel = pack.ground_truth.arms[0].channel
    # The pack's own eligibility rules, on customers that fail them.
    for rule in pack.qualification_rules:
        if rule.stage != "eligibility" or rule.rule_type != "attribute_condition":
            continue
        failing = [r for r in rows[-200:] if condition_holds(r, dict(rule.config)) is False][:3]
        for row in failing:
            for ch in pack.channels:
                body = recommend(
                    client,
                    tenant,
                    customerId=str(row[id_column]),
                    channel=ch.id,
                    limit=50,
                    context={"time": f"{DAY}T10:00:00Z"},
                ).json()
                for decision in body["decisions"]:
                    assert not _applies(
                        rule.scope, rule.scope_ref, decision["offerId"], ch.id, pack
                    )
    # A rule added to the tenant: this one customer fails it for the offer it was given.
    customer = str(qualifying(rows, pack)[len(rows) // 3][id_column])
    first = recommend(
        client,
        tenant,
        customerId=customer,
        channel=channel,
        limit=1,
        context={"time": f"{DAY}T11:00:00Z"},
    ).json()
    assert first["decisions"], first
    offer = first["decisions"][0]["offerId"]
    with pool.connection() as conn:
        conn.execute(
            # First in priority: the pack's own rules (a lending recency check, say) would
            # otherwise be the reason reported for an offer this customer was just given.
            "INSERT INTO qualification_rules (tenant_id, id, dataset_key, name, stage, rule_type,"
            " scope, scope_ref, config, priority) VALUES (%s, 'test_rule_not_c', %s,"
            " 'Not this customer', 'eligibility', 'attribute_condition', 'offer', %s, %s, 1000)",
            (
                tenant,
                key,
                offer,
                Jsonb(
                    {
                        "field": f"{pack.ground_truth.customer_table}.{id_column}",
                        "operator": "!=",
                        "value": customer,
                    }
                ),
            ),
        )
    invalidate(tenant)
    try:
        for day in range(10, 13):
            body = recommend(
                client,
                tenant,
                customerId=customer,
                channel=channel,
                limit=50,
                debug=True,
                context={"time": f"2031-03-{day:02d}T11:00:00Z"},
            ).json()
            assert offer not in [d["offerId"] for d in body["decisions"]]
            qualify = next(n for n in body["trace"] if n["node"] == "qualify")
            reasons = {d["offerId"]: d["reason"] for d in qualify["dropped"]}
            assert "Not this customer" in reasons[offer]
    finally:
        with pool.connection() as conn:
            conn.execute(
                "DELETE FROM qualification_rules WHERE tenant_id = %s AND id = 'test_rule_not_c'",
                (tenant,),
            )
        invalidate(tenant)


def _daily_cap(pack: Pack, pool: ConnectionPool, tenant: str) -> tuple[str, int]:
    """Return the pack's global daily cap (name, maxPerDay), adding one when it has none."""
    caps = [
        p
        for p in pack.contact_policies
        if p.policy_type == "frequency_cap"
        and p.scope == "global"
        and "maxPerDay" in p.config
        and "per" not in p.config
    ]
    if caps:
        cap = min(caps, key=lambda p: p.config["maxPerDay"])
        return cap.name, int(cap.config["maxPerDay"])
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO contact_policies (tenant_id, id, dataset_key, name, policy_type, scope,"
            " config) VALUES (%s, 'test_daily', %s, 'Test daily cap', 'frequency_cap', 'global',"
            " %s)",
            (tenant, pack.key, Jsonb({"maxPerDay": 2})),
        )
    invalidate(tenant)
    return "Test daily cap", 2


@ALL_PACKS
def test_after_the_daily_cap_of_impressions_offers_stop_until_the_next_day(
    key: str, client: httpx.Client, pool: ConnectionPool, fresh_tenant: Loaded
) -> None:
    pack = PACKS[key]
    tenant = fresh_tenant(key)
    name, cap = _daily_cap(pack, pool, tenant)
    channel = pack.ground_truth.arms[0].channel
    customer = str(
        qualifying(customers(pool, tenant, pack), pack)[7][pack.ground_truth.customer_id]
    )
    served = []
    for minute in range(0, 10 * (cap + 3), 10):
        body = recommend(
            client,
            tenant,
            customerId=customer,
            channel=channel,
            limit=1,
            debug=True,
            context={"time": f"{DAY}T09:{minute:02d}:00Z"},
        ).json()
        served += [d["offerId"] for d in body["decisions"]]
        if len(served) >= cap and minute // 10 > cap:
            assert body["decisions"] == []
            policy = next(n for n in body["trace"] if n["node"] == "contact_policy")
            assert all(name in d["reason"] for d in policy["dropped"])
            assert policy["dropped"]
    assert len(served) == cap
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM interactions WHERE tenant_id = %s AND customer_id = %s"
            " AND outcome = 'impression'",
            (tenant, customer),
        ).fetchone()
    assert row is not None and row[0] == cap
    # The next day the daily cap no longer binds (a weekly cap of the pack still may).
    next_day = recommend(
        client,
        tenant,
        customerId=customer,
        channel=channel,
        limit=1,
        debug=True,
        context={"time": "2031-03-05T09:30:00Z"},
    ).json()
    policy = next(n for n in next_day["trace"] if n["node"] == "contact_policy")
    reasons = [d["reason"] for d in policy["dropped"]]
    assert not any(f"'{name}'" in r and "today" in r for r in reasons)
    assert next_day["count"] == 1 or reasons


def test_each_decision_is_recorded_and_removal_takes_it_away(
    client: httpx.Client, pool: ConnectionPool, fresh_tenant: Loaded
) -> None:
    pack = PACKS["starbucks"]
    tenant = fresh_tenant("starbucks")
    customer = str(customers(pool, tenant, pack)[3]["id"])
    body = recommend(
        client,
        tenant,
        customerId=customer,
        channel="Email",
        limit=2,
        excludeOffers=[pack.offers[0].id],
        context={"time": f"{DAY}T08:00:00+00:00"},
    ).json()
    assert body["count"] == 2
    assert pack.offers[0].id not in [d["offerId"] for d in body["decisions"]]
    with pool.connection() as conn:
        run = conn.execute(
            "SELECT customer_id, channel_id, dataset_key, decided_at FROM decision_runs"
            " WHERE tenant_id = %s AND id = %s",
            (tenant, body["recommendationId"]),
        ).fetchone()
        impressions = conn.execute(
            "SELECT offer_id, creative_id, dataset_key FROM interactions WHERE tenant_id = %s"
            " AND recommendation_id = %s AND outcome = 'impression' ORDER BY offer_id",
            (tenant, body["recommendationId"]),
        ).fetchall()
        summaries = conn.execute(
            "SELECT offer_id, impressions FROM interaction_summaries WHERE tenant_id = %s"
            " AND customer_id = %s AND channel_id = 'email' AND last_contact_at = %s",
            (tenant, customer, run[3] if run else None),
        ).fetchall()
    assert run is not None and run[:3] == (customer, "email", "starbucks")
    assert run[3].isoformat().startswith(f"{DAY}T08:00:00")
    assert impressions == sorted(
        (d["offerId"], d["creativeId"], "starbucks") for d in body["decisions"]
    )
    assert {offer for offer, _ in summaries} == {d["offerId"] for d in body["decisions"]}
    removed = client.delete(f"/api/v1/seed-dataset/{pack.key}", headers=as_role(tenant))
    assert removed.status_code == 200
    assert removed.json()["counts"]["runs"] == 1
    assert tenant_footprint(pool, tenant) == {}


def test_creative_choice_and_experiment_arm_are_stable_for_a_customer(
    client: httpx.Client, pool: ConnectionPool, loaded_tenant: Loaded
) -> None:
    pack, tenant = PACKS["starbucks"], loaded_tenant("starbucks")
    models = set()
    for row in customers(pool, tenant, pack)[100:140]:
        keys = {
            d["modelKey"]
            for hour in ("12", "13")
            for d in recommend(
                client,
                tenant,
                customerId=row["id"],
                channel="web",
                limit=1,
                context={"time": f"2031-04-01T{hour}:00:00Z"},
            ).json()["decisions"]
        }
        assert len(keys) <= 1
        models |= keys
    # The experiment splits 80/20: forty customers land on both arms.
    assert models == {"starbucks-thompson", "starbucks-scorecard"}
