"""Plain helpers for the decisioning tests: customers of a loaded pack, calls, a rule checker."""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from seedpacks.packs.model import Pack
from seedpacks.seeding.tenancy import tenant_schema
from tests.conftest import as_role

# A decision time far from the packs' history, so tests start from a clean contact slate.
DAY = "2031-03-04"


def customers(pool: ConnectionPool, tenant: str, pack: Pack) -> list[dict[str, Any]]:
    """Return every row of the pack's customer table, in id order."""
    truth = pack.ground_truth
    with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                sql.Identifier(tenant_schema(tenant), truth.customer_table),
                sql.Identifier(truth.customer_id),
            )
        ).fetchall()


def recommend(client: httpx.Client, tenant: str, **body: Any) -> httpx.Response:
    return client.post("/api/v1/recommend", headers=as_role(tenant, "editor"), json=body)


def respond(client: httpx.Client, tenant: str, **body: Any) -> httpx.Response:
    return client.post("/api/v1/respond", headers=as_role(tenant, "editor"), json=body)


def _plain(value: Any, like: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and isinstance(like, str):
        return value.isoformat()
    return value


def condition_holds(row: dict[str, Any], config: dict[str, Any]) -> bool | None:
    """Evaluate an attribute_condition on a customer row independently of the service code;
    None when the operator is not one this checker knows."""
    column = config["field"].split(".", 1)[1]
    op, wanted = config.get("operator", "="), config.get("value")
    actual = _plain(row[column], wanted)
    if op == "not_null":
        return actual is not None
    if op == "is_null":
        return actual is None
    if actual is None:
        return bool(config.get("unknownPasses"))
    checks = {
        "=": lambda: actual == wanted,
        "!=": lambda: actual != wanted,
        ">": lambda: actual > wanted,
        ">=": lambda: actual >= wanted,
        "<": lambda: actual < wanted,
        "<=": lambda: actual <= wanted,
        "in": lambda: actual in wanted,
        "not_in": lambda: actual not in wanted,
    }
    return bool(checks[op]()) if op in checks else None


def qualifying(rows: list[dict[str, Any]], pack: Pack) -> list[dict[str, Any]]:
    """Return the customers that pass every eligibility and fit attribute rule of all offers on
    the channel of the pack's first true arm (the channel the tests decide on)."""
    channel = pack.ground_truth.arms[0].channel
    rules = [
        dict(r.config)
        for r in pack.qualification_rules
        if r.stage != "match"
        and r.rule_type == "attribute_condition"
        and (r.scope == "global" or (r.scope == "channel" and r.scope_ref == channel))
    ]
    return [row for row in rows if all(condition_holds(row, c) is not False for c in rules)]


@contextmanager
def deciding(server: str, tenant: str, ids: list[str]) -> Iterator[tuple[Counter[int], set[str]]]:
    """Keep four threads recommending to `tenant`'s customers `ids` until the block ends; yield
    the count of each status and the messages of answers other than 200."""
    statuses: Counter[int] = Counter()
    messages: set[str] = set()
    stop = threading.Event()

    def decide(worker: int) -> None:
        with httpx.Client(base_url=server, timeout=60) as own:
            n = worker
            while not stop.is_set():
                response = recommend(
                    own,
                    tenant,
                    customerId=ids[n % len(ids)],
                    channel="email",
                    context={"time": f"{DAY}T09:00:00Z"},
                )
                statuses[response.status_code] += 1
                if response.status_code != 200:
                    messages.add(response.json()["message"])
                n += 4

    workers = [threading.Thread(target=decide, args=(i,)) for i in range(4)]
    for worker in workers:
        worker.start()
    try:
        yield statuses, messages
    finally:
        stop.set()
        for worker in workers:
            worker.join()
