"""One decision's view of the customer: enriched attributes, contact history, model state.

History, summaries, segment membership and model state are read only when a rule, policy or
model asks for them, each with one query.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg import errors, sql

from seedpacks.decisioning.setup import FlowInvalid, Setup
from seedpacks.errors import NotFound
from seedpacks.packs.custom import find_custom_pack
from seedpacks.packs.registry import PACKS

# A Contact's fields, and where the customer's contacts in (since, now] are.
_CONTACT = (
    "offer_id, channel_id, outcome, occurred_at,"
    " recommendation_id IS NULL OR outcome = 'impression'"
)
_CONTACTS = (
    " FROM interactions WHERE tenant_id = %s AND customer_id = %s"
    " AND occurred_at > %s AND occurred_at <= %s"
)
_MODELS = " FROM algorithm_models WHERE tenant_id = %s AND dataset_key = %s"
_HISTORY = f"SELECT {_CONTACT}{_CONTACTS} ORDER BY occurred_at"
_STATES = f"SELECT id, state{_MODELS}"
# The same two reads as JSON values, for columns of the customer's row (see `enrich`).
_HISTORY_JSON = f"(SELECT json_agg(json_build_array({_CONTACT}) ORDER BY occurred_at){_CONTACTS})"
_STATES_JSON = f"(SELECT json_object_agg(id, state){_MODELS})"
_HISTORY_COLUMN, _STATES_COLUMN = "__seedpacks_history", "__seedpacks_states"


@dataclass(frozen=True)
class Contact:
    """One row of the customer's interaction history."""

    offer_id: str
    channel_id: str
    outcome: str
    at: datetime
    # An offer shown (a history row or an impression), as opposed to a later outcome of one.
    is_contact: bool


@dataclass
class Context:
    conn: psycopg.Connection
    tenant: str
    setup: Setup
    customer_id: str
    channel_id: str
    now: datetime
    attributes: dict[str, Any] = field(default_factory=dict)
    _history: list[Contact] | None = None
    _history_since: datetime | None = None
    _summaries: dict[tuple[str, str], dict[str, Any]] | None = None
    _segments: dict[str, bool] = field(default_factory=dict)
    _states: dict[str, dict[str, Any]] | None = None
    # Verdicts of the rules that depend on the customer alone, by rule id (see rules.qualify).
    verdicts: dict[str, Any] = field(default_factory=dict)

    def history(self, lookback: timedelta) -> list[Contact]:
        """Return the customer's interactions in (now - lookback, now], oldest first."""
        since = self.now - lookback
        if self._history is None or self._history_since is None or since < self._history_since:
            cur = self.conn.execute(_HISTORY, (self.tenant, self.customer_id, since, self.now))
            self._keep_history(cur.fetchall(), since)
        assert self._history is not None
        return [c for c in self._history if c.at > since]

    def _keep_history(self, rows: list[Any], since: datetime) -> None:
        self._history = [Contact(*row) for row in rows]
        self._history_since = since

    def summaries(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Return the customer's interaction summaries by (offer, channel)."""
        if self._summaries is None:
            rows = self.conn.execute(
                "SELECT offer_id, channel_id, impressions, positives, negatives, last_contact_at"
                " FROM interaction_summaries WHERE tenant_id = %s AND customer_id = %s",
                (self.tenant, self.customer_id),
            ).fetchall()
            self._summaries = {
                (r[0], r[1]): {
                    "impressions": r[2],
                    "positives": r[3],
                    "negatives": r[4],
                    "lastContactAt": r[5],
                }
                for r in rows
            }
        return self._summaries

    def in_segment(self, ref: str, *, used_by: str) -> bool:
        """Return whether the customer is in segment `ref` (its view holds the customer)."""
        if ref not in self._segments:
            segment = self.setup.segment(ref)
            if segment is None:
                raise FlowInvalid(f"{used_by} names segment '{ref}', which the tenant lacks.")
            view = sql.Identifier(segment["pg_schema"], segment["view_name"])
            key = sql.Identifier(segment["primary_key"][0])
            row = self.conn.execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {} = %s)").format(view, key),
                (self.customer_id,),
            ).fetchone()
            self._segments[ref] = bool(row and row[0])
        return self._segments[ref]

    def states(self) -> dict[str, dict[str, Any]]:
        """Return every model's current state by model id (read fresh: responses change it)."""
        if self._states is None:
            cur = self.conn.execute(_STATES, (self.tenant, self.setup.loaded.dataset_key))
            self._states = {model_id: state or {} for model_id, state in cur.fetchall()}
        return self._states

    def propensity(self, offer_id: str, model_ref: str | None = None) -> float | None:
        """Return the offer's expected positive rate from a learning model's state, if any."""
        states = self.states()
        models = [self.setup.model(model_ref)] if model_ref else list(self.setup.models.values())
        for model in models:
            if model is None:
                continue
            state = states.get(model["id"], {})
            arm = state.get("arms", {}).get(offer_id)
            if arm and "alpha" in arm:
                return float(arm["alpha"]) / (float(arm["alpha"]) + float(arm["beta"]))
            if arm and arm.get("pulls"):
                return float(arm["totalReward"]) / float(arm["pulls"])
            post = state.get("posteriors", {}).get(offer_id)
            if post is not None:
                return (float(post["positives"]) + 1) / (float(post["trials"]) + 2)
        return None


def _truth_customers(conn: psycopg.Connection, *, tenant: str, setup: Setup) -> tuple[str, str]:
    """Return the loaded pack's ground-truth customer table and id column, once per setup."""

    def find() -> tuple[str, str]:
        key = setup.loaded.dataset_key
        pack = PACKS.get(key) or find_custom_pack(conn, tenant=tenant, key=key)
        if pack is None:
            raise FlowInvalid("The flow's enrich node names no customer table.")
        return pack.ground_truth.customer_table, pack.ground_truth.customer_id

    return setup.derive("truth-customers", find)


def enrich_tables(
    conn: psycopg.Connection, *, tenant: str, setup: Setup, config: dict[str, Any]
) -> list[tuple[str, str]]:
    """Return the (table, key column) pairs the enrich node reads, customer table first; with
    none named, the ground truth's customer table of the loaded pack (built-in or the tenant's)."""
    tables = list(config.get("tables") or ([config["table"]] if config.get("table") else []))
    key = config.get("key")
    if not tables:
        table, column = _truth_customers(conn, tenant=tenant, setup=setup)
        tables = [table]
        key = key or column
    pairs = []
    for table in tables:
        schema = setup.schemas.get(table)
        if schema is None:
            raise FlowInvalid(
                f"The flow's enrich node reads table '{table}', which the loaded pack lacks "
                f"(its tables: {', '.join(sorted(setup.schemas))})."
            )
        column = (config.get("keys") or {}).get(table) or key or schema["primary_key"][0]
        if column not in {f["name"] for f in schema["fields"]}:
            raise FlowInvalid(f"The flow's enrich node keys table '{table}' on missing '{column}'.")
        pairs.append((table, column))
    return pairs


def enrich(
    ctx: Context,
    config: dict[str, Any],
    overrides: dict[str, Any] | None,
    *,
    lookback: timedelta | None = None,
) -> None:
    """Fill the context's attributes from the customer's rows, then the request's overrides.

    The customer's rows go to the server in one pipeline, the first carrying the customer's
    history over `lookback` and the models' state along: one round trip, one statement per table.
    """
    pairs = enrich_tables(ctx.conn, tenant=ctx.tenant, setup=ctx.setup, config=config)
    conn = ctx.conn
    since = ctx.now - lookback if lookback is not None else None
    # The customer's history and the models' state ride on the first table's row, as JSON
    # columns: two statements fewer per decision.
    extra = sql.SQL(", {} AS {}, {} AS {}").format(
        sql.SQL(_HISTORY_JSON if since is not None else "NULL::json"),
        sql.Identifier(_HISTORY_COLUMN),
        sql.SQL(_STATES_JSON),
        sql.Identifier(_STATES_COLUMN),
    )
    history_params = (ctx.tenant, ctx.customer_id, since, ctx.now) if since is not None else ()
    states_params = (ctx.tenant, ctx.setup.loaded.dataset_key)
    try:
        with conn.pipeline():
            customer = [
                conn.execute(
                    sql.SQL("SELECT *{} FROM {} WHERE {} = %s LIMIT 1").format(
                        extra if position == 0 else sql.SQL(""),
                        sql.Identifier(ctx.setup.schemas[table]["pg_schema"], table),
                        sql.Identifier(column),
                    ),
                    (*history_params, *states_params, ctx.customer_id)
                    if position == 0
                    else (ctx.customer_id,),
                )
                for position, (table, column) in enumerate(pairs)
            ]
    except (errors.InvalidTextRepresentation, errors.NumericValueOutOfRange):
        raise _unknown_customer(ctx, pairs[0][0]) from None
    for position, ((table, _), cur) in enumerate(zip(pairs, customer, strict=True)):
        row = cur.fetchone()
        names = [d.name for d in cur.description or ()]
        if row is None:
            if position == 0:
                raise _unknown_customer(ctx, table)
            names = [f["name"] for f in ctx.setup.schemas[table]["fields"]]
            row = (None,) * len(names)
        values = list(row)
        if position == 0:
            history, states = values[-2:]
            values, names = values[:-2], names[:-2]
            if since is not None:
                ctx._keep_history(
                    [(*h[:3], datetime.fromisoformat(h[3]), h[4]) for h in history or ()], since
                )
            ctx._states = {model_id: state or {} for model_id, state in (states or {}).items()}
        for name, value in zip(names, values, strict=True):
            ctx.attributes[f"{table}.{name}"] = value
            ctx.attributes.setdefault(name, value)
    override(ctx.attributes, overrides or {})


def override(attributes: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Apply the request's attributes: `table.name` sets itself and `name`, `name` every `*.name`.

    The qualified names are indexed by their last part first: looking them up by a scan per
    override was quadratic (20,000 overrides held the event loop for 37 s).
    """
    by_name: dict[str, list[str]] = {}
    for key in attributes:
        if "." in key:
            by_name.setdefault(key.rsplit(".", 1)[1], []).append(key)

    def put(key: str, value: Any) -> None:
        if "." in key and key not in attributes:
            by_name.setdefault(key.rsplit(".", 1)[1], []).append(key)
        attributes[key] = value

    for name, value in overrides.items():
        put(name, value)
        if "." in name:
            put(name.split(".", 1)[1], value)
        else:
            for qualified in by_name.get(name, ()):
                attributes[qualified] = value


def _unknown_customer(ctx: Context, table: str) -> NotFound:
    return NotFound(
        f"No customer '{ctx.customer_id}' in {table} of the loaded pack.",
        customerId=ctx.customer_id,
    )
