"""What a tenant's loaded pack gives the decisioning core, read once and cached per load.

Offers, creatives, channels, rules, policies, models (without their state, which changes with
every response), experiments, flows and segments change only when a pack is (re)loaded, so they
are cached per tenant and keyed by the load's `loaded_at`: a reload invalidates the entry, and a
short time-to-live bounds how long an edit made behind the service's back goes unseen.
"""

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from seedpacks.errors import Conflict, SeedError
from seedpacks.seeding.tenancy import try_share_data_lock

CACHE_SECONDS = 30.0
T = TypeVar("T")


class FlowInvalid(Conflict):
    """The loaded decision flow references something the tenant does not have (409: the
    request is fine, the tenant's setup is not)."""


class SeedOperationRunning(Conflict):
    def __init__(self, tenant: str) -> None:
        super().__init__(
            f"A seed operation is loading, removing or replacing the data of tenant '{tenant}'. "
            "Try again when it has finished (GET /api/v1/seed-dataset/{key}/status)."
        )


class NoPackLoaded(Conflict):
    def __init__(self, tenant: str) -> None:
        super().__init__(
            f"No dataset pack is loaded for tenant '{tenant}'. Load one first with "
            "POST /api/v1/seed-dataset/{key} (GET /api/v1/seed-dataset lists them)."
        )


@dataclass(frozen=True)
class Loaded:
    """The tenant's row of loaded_datasets."""

    dataset_key: str
    pg_schema: str
    loaded_at: datetime


@dataclass
class Setup:
    """The decisioning entities of one tenant's loaded pack (plain dicts, read-only once built)."""

    loaded: Loaded
    offers: dict[str, dict[str, Any]]
    categories: dict[str, str]
    channels: dict[str, dict[str, Any]]
    # (offer id, channel id) -> creatives, heaviest first
    creatives: dict[tuple[str, str], list[dict[str, Any]]]
    rules: list[dict[str, Any]]
    policies: list[dict[str, Any]]
    outcomes: dict[str, str]
    models: dict[str, dict[str, Any]]
    experiments: dict[str, dict[str, Any]]
    flows: dict[str, dict[str, Any]]
    segments: dict[str, dict[str, Any]]
    schemas: dict[str, dict[str, Any]]
    built: float = field(default_factory=time.monotonic)
    # What decisions derive from this setup alone (a flow's node configs, the rules that can
    # apply to each offer on a channel...), computed by the first decision that needs it.
    derived: dict[Hashable, Any] = field(default_factory=dict)

    def derive(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return the value derived under `key`, making it on first use."""
        try:
            return self.derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self.derived[key] = make()
            return value

    def channel(self, ref: str) -> dict[str, Any] | None:
        """Return the channel with id `ref`, or else the one named `ref` (any case)."""
        if ref in self.channels:
            return self.channels[ref]
        wanted = ref.strip().lower()
        return next((c for c in self.channels.values() if c["name"].lower() == wanted), None)

    def model(self, ref: str) -> dict[str, Any] | None:
        """Return the model with id or key `ref`."""
        if ref in self.models:
            return self.models[ref]
        return next((m for m in self.models.values() if m["key"] == ref), None)

    def segment(self, ref: str) -> dict[str, Any] | None:
        """Return the segment with id, name or view name `ref`."""
        if ref in self.segments:
            return self.segments[ref]
        return next((s for s in self.segments.values() if ref in (s["name"], s["view_name"])), None)

    def flow(self, ref: str | None) -> dict[str, Any]:
        """Return the flow with id or key `ref`, or the tenant's first active flow."""
        if ref is None:
            active = sorted(
                (f for f in self.flows.values() if f["status"] == "active"), key=lambda f: f["key"]
            )
            if not active:
                raise FlowInvalid(
                    f"The loaded pack '{self.loaded.dataset_key}' has no active decision flow."
                )
            return active[0]
        found = self.flows.get(ref) or next(
            (f for f in self.flows.values() if f["key"] == ref), None
        )
        if found is None:
            known = ", ".join(sorted(f["key"] for f in self.flows.values())) or "none"
            raise SeedError(
                f"No decision flow '{ref}' in the loaded pack; known flows: {known}.", status=404
            )
        return found


_cache: dict[str, Setup] = {}
_lock = threading.Lock()


def loaded(conn: psycopg.Connection, *, tenant: str, lock: tuple[int, str] | None = None) -> Loaded:
    """Return the tenant's loaded pack, or raise NoPackLoaded (409).

    With `lock` (class, key), also take that transaction-scoped advisory lock in the same query,
    and let the transaction commit without waiting for its WAL flush: a decision's impressions
    are high-volume telemetry, and a crash loses at most the last fraction of a second of them,
    never their consistency (respond, which learning depends on, keeps durable commits).
    """
    # Its own statement, before the read: the read's snapshot then postdates any seed operation
    # that released the lock. In a pipeline both travel in one round trip.
    shared = try_share_data_lock(conn, tenant)
    if lock is None:
        cursor = conn.execute(
            "SELECT dataset_key, pg_schema, loaded_at FROM loaded_datasets WHERE tenant_id = %s",
            (tenant,),
        )
    else:
        cursor = conn.execute(
            "SELECT dataset_key, pg_schema, loaded_at, pg_advisory_xact_lock(%s, hashtext(%s)),"
            " set_config('synchronous_commit', 'off', true)"
            " FROM loaded_datasets WHERE tenant_id = %s",
            (*lock, tenant),
        )
    held = shared.fetchone()
    if not (held and held[0]):
        raise SeedOperationRunning(tenant)
    row = cursor.fetchone()
    if row is None:
        raise NoPackLoaded(tenant)
    return Loaded(*row[:3])


def get_setup(
    conn: psycopg.Connection, *, tenant: str, lock: tuple[int, str] | None = None
) -> Setup:
    """Return the tenant's setup, from the cache while the same load is current."""
    current = loaded(conn, tenant=tenant, lock=lock)
    cached = _cache.get(tenant)
    if (
        cached is not None
        and cached.loaded == current
        and time.monotonic() - cached.built < CACHE_SECONDS
    ):
        return cached
    setup = read_setup(conn, tenant=tenant, current=current)
    with _lock:
        _cache[tenant] = setup
    return setup


def invalidate(tenant: str) -> None:
    """Forget the tenant's cached setup (after editing its platform rows directly)."""
    with _lock:
        _cache.pop(tenant, None)


def _select(
    conn: psycopg.Connection, table: str, columns: str, *, tenant: str, dataset_key: str
) -> list[dict[str, Any]]:
    """Return the pack's rows of platform table `table` (the columns space-separated)."""
    query = sql.SQL("SELECT {} FROM {} WHERE tenant_id = %s AND dataset_key = %s").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns.split()), sql.Identifier(table)
    )
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, (tenant, dataset_key)).fetchall()


def read_setup(conn: psycopg.Connection, *, tenant: str, current: Loaded) -> Setup:
    """Read every decisioning entity of the tenant's loaded pack."""

    def rows(table: str, columns: str) -> list[dict[str, Any]]:
        return _select(conn, table, columns, tenant=tenant, dataset_key=current.dataset_key)

    offers = sorted(
        rows(
            "offers",
            "id category_id name status priority business_value start_date end_date attributes",
        ),
        key=lambda o: o["id"],
    )
    for offer in offers:
        offer["business_value"] = float(offer["business_value"] or 0)
    creatives: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in sorted(
        rows("creatives", "id offer_id channel_id template_type subject headline body cta weight"),
        key=lambda c: (-c["weight"], c["id"]),
    ):
        creatives.setdefault((c["offer_id"], c["channel_id"]), []).append(c)
    rules = rows(
        "qualification_rules", "id name stage rule_type scope scope_ref config priority active"
    )
    policies = rows("contact_policies", "id name policy_type scope scope_ref config active")
    segments = conn.execute(
        "SELECT s.id, s.name, s.view_name, d.pg_schema, d.table_name, d.primary_key"
        " FROM segments s JOIN data_schemas d ON d.tenant_id = s.tenant_id AND d.id = s.schema_id"
        " WHERE s.tenant_id = %s AND s.dataset_key = %s",
        (tenant, current.dataset_key),
    ).fetchall()
    return Setup(
        loaded=current,
        offers={o["id"]: o for o in offers},
        categories={r["id"]: r["name"] for r in rows("categories", "id name")},
        channels={r["id"]: r for r in rows("channels", "id name channel_type")},
        creatives=creatives,
        rules=sorted((r for r in rules if r["active"]), key=lambda r: (-r["priority"], r["id"])),
        policies=sorted((p for p in policies if p["active"]), key=lambda p: p["id"]),
        outcomes={
            r["key"]: r["classification"] for r in rows("outcome_types", "key classification")
        },
        models={r["id"]: r for r in rows("algorithm_models", "id key name model_type config")},
        experiments={
            r["id"]: r for r in rows("experiments", "id key champion_model_id traffic_split status")
        },
        flows={
            r["id"]: r for r in rows("decision_flows", "id key name experiment_id nodes status")
        },
        segments={
            r[0]: dict(
                zip(
                    ("id", "name", "view_name", "pg_schema", "table_name", "primary_key"),
                    r,
                    strict=True,
                )
            )
            for r in segments
        },
        schemas={
            r["table_name"]: r
            for r in rows("data_schemas", "id name pg_schema table_name fields primary_key")
        },
    )
