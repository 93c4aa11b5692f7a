"""Each tenant's interaction history and summaries are partitions of their own (migrations 0007,
0008) of the shared `interactions` and `interaction_summaries`.

A load builds the tenant's next partitions as bare tables in its transaction: COPY FREEZE into
them, keys after the rows, as for the pack tables. `install` attaches them just before commit.
Attaching takes SHARE UPDATE EXCLUSIVE on the parent, which decisions (reads and writes through
the parent) do not conflict with; two loads of different tenants do, so they queue at that last
step only. Dropping a partition takes ACCESS EXCLUSIVE on its parent: every tenant's decisions
wait for it. A removal therefore drops last, and a forced replace drops the old partitions in
`install`, so that lock is held only from the drop to the commit, milliseconds; a load or
removal that finds another tenant's load between attach and commit waits for that commit.
"""

import hashlib
import time
from dataclasses import dataclass

import psycopg
from psycopg import errors, sql

from seedpacks.errors import SeedError
from seedpacks.seeding import timing


@dataclass(frozen=True)
class Parent:
    """A partitioned platform table: its key and indexes, as every partition must have them."""

    name: str
    key: tuple[str, ...]
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name suffix, columns)


# The customer index leaves tenant_id out: a partition holds one tenant (migration 0015).
HISTORY = Parent(
    "interactions", key=("tenant_id", "id"), indexes=(("customer", ("customer_id", "occurred_at")),)
)
# The tenant last in the summaries' key: the same in a whole partition (migration 0016).
SUMMARIES = Parent(
    "interaction_summaries", key=("customer_id", "offer_id", "channel_id", "tenant_id")
)
# Every seed operation locks the parents in this order.
PARENTS = (HISTORY, SUMMARIES)

# How long a seed operation waits for one parent's ACCESS EXCLUSIVE lock before it lets go of
# what it holds and tries again: a decision holding the second parent may be queued behind it
# for the first, and giving way well before deadlock_timeout (1 s) spares it a deadlock error.
LOCK_TIMEOUT = "50ms"
# How long a seed operation keeps trying for the parents before it gives up (503).
LOCK_WAIT_LIMIT = 30.0


def partition_name(parent: Parent, tenant: str) -> str:
    """Return the name of `tenant`'s partition of `parent` (the migrations compute it in SQL)."""
    return f"{parent.name}_{hashlib.sha256(tenant.encode()).hexdigest()[:16]}"


def _index_names(table: str, parent: Parent) -> list[str]:
    return [f"{table}_pkey", *(f"{table}_{suffix}" for suffix, _ in parent.indexes)]


def _columns(names: tuple[str, ...]) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, names))


def create(conn: psycopg.Connection, parent: Parent, *, tenant: str, dataset_key: str) -> str:
    """Create the tenant's next partition of `parent`, bare, in this transaction; return its name.

    The CHECK states the partition's bound, so attaching it need not scan the rows. Until its
    keys are built, tenant_id and dataset_key default to the load's: the COPY need not send them
    with every row. Its values are stored inline as the parent's (migration 0009): no TOAST.
    """
    name = f"{partition_name(parent, tenant)}_next"
    table = sql.Identifier(name)
    conn.execute(
        sql.SQL(
            "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING STORAGE, CONSTRAINT tenant_only"
            " CHECK (tenant_id = {}))"
        ).format(table, sql.Identifier(parent.name), sql.Literal(tenant))
    )
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ALTER tenant_id SET DEFAULT {}, ALTER dataset_key SET DEFAULT {}"
        ).format(table, sql.Literal(tenant), sql.Literal(dataset_key))
    )
    return name


def add_keys(conn: psycopg.Connection, parent: Parent, *, name: str) -> None:
    """Build the parent's key and indexes on a filled partition (and drop the load's defaults).

    No ANALYZE: as for the shared tables before, autovacuum analyses the partition once it is
    committed; until then the planner goes by the keys' indexes.
    """
    table = sql.Identifier(name)
    key, *indexes = _index_names(name, parent)
    timing.execute(
        conn,
        sql.SQL(
            "ALTER TABLE {} ALTER tenant_id DROP DEFAULT, ALTER dataset_key DROP DEFAULT,"
            " ADD CONSTRAINT {} PRIMARY KEY ({})"
        ).format(table, sql.Identifier(key), _columns(parent.key)),
        label=timing.columns_label(parent.name, "PRIMARY KEY", parent.key),
    )
    for index, (_, columns) in zip(indexes, parent.indexes, strict=True):
        timing.execute(
            conn,
            sql.SQL("CREATE INDEX {} ON {} ({})").format(
                sql.Identifier(index), table, _columns(columns)
            ),
            label=timing.columns_label(parent.name, "INDEX", columns),
        )


def install(conn: psycopg.Connection, *, tenant: str, names: dict[Parent, str]) -> None:
    """Attach the bare tables `names` as the tenant's partitions, dropping those they replace.

    Do it last: the locks it takes on the shared parents are held until commit.
    """
    drop(conn, tenant=tenant)
    with conn.pipeline():  # no results to wait for
        for parent in PARENTS:
            if parent in names:
                _rename_and_attach(conn, parent, tenant=tenant, name=names[parent])


def _rename_and_attach(conn: psycopg.Connection, parent: Parent, *, tenant: str, name: str) -> None:
    final = partition_name(parent, tenant)
    conn.execute(
        sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(name), sql.Identifier(final))
    )
    for old, new in zip(_index_names(name, parent), _index_names(final, parent), strict=True):
        conn.execute(
            sql.SQL("ALTER INDEX {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new))
        )
    conn.execute(
        sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
            sql.Identifier(parent.name), sql.Identifier(final), sql.Literal(tenant)
        )
    )


def count_rows(conn: psycopg.Connection, parent: Parent, *, tenant: str) -> int:
    """Return how many rows the tenant's partition of `parent` holds (0 without one): what
    dropping it removes. They are all the loaded pack's; decisions write the loaded pack's key.

    Counted in the partition itself: through the parent, the planner knows nothing of a
    partition that no ANALYZE has reached yet and walks the tenant's key index instead of
    scanning (80 ms against 14-30 ms for starbucks' 500,000 interactions at scale 1000), and
    without a filter on the pack (another 40 ms).
    """
    name = partition_name(parent, tenant)
    row = conn.execute("SELECT to_regclass(quote_ident(%s)) IS NOT NULL", (name,)).fetchone()
    if not (row and row[0]):
        return 0
    counted = conn.execute(
        sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))
    ).fetchone()
    return int(counted[0]) if counted else 0


def analyze(conn: psycopg.Connection, *, tenant: str) -> None:
    """ANALYZE the tenant's partitions, those it has.

    A load leaves them without statistics (add_keys) until autovacuum reaches them; a query
    joining them with other tables right after (an upload's pruning) needs them to plan.
    """
    for parent in PARENTS:
        name = partition_name(parent, tenant)
        row = conn.execute("SELECT to_regclass(quote_ident(%s)) IS NOT NULL", (name,)).fetchone()
        if row and row[0]:
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(name)))


def drop(conn: psycopg.Connection, *, tenant: str) -> None:
    """Drop the tenant's partitions, if it has any (locks the parents until commit: do it last)."""
    names = [partition_name(p, tenant) for p in PARENTS]
    row = conn.execute(
        "SELECT array_agg(to_regclass(quote_ident(n)) IS NOT NULL ORDER BY o)"
        " FROM unnest(%s::text[]) WITH ORDINALITY AS u (n, o)",
        (names,),
    ).fetchone()
    found = [p for p, exists in zip(PARENTS, row[0] if row else [], strict=True) if exists]
    if not found:
        return
    lock_parents(conn, found)
    for parent in found:
        conn.execute(
            sql.SQL("DROP TABLE {}").format(sql.Identifier(partition_name(parent, tenant)))
        )


def lock_parents(conn: psycopg.Connection, parents: list[Parent]) -> None:
    """Take ACCESS EXCLUSIVE on `parents`, in PARENTS order, without deadlocking decisions.

    A decision of another tenant may hold one parent and be queued behind this transaction for
    the other; waiting for it while holding the first would deadlock. So each attempt waits at
    most LOCK_TIMEOUT per lock, and a timed-out attempt lets go of everything it took (its
    savepoint) so the decision can finish, then tries again.

    Decisions hold the parents for milliseconds. A session holding one for LOCK_WAIT_LIMIT
    seconds (a long query, a transaction left open) ends the attempts: 503, and the caller's
    transaction rolls back, so nothing of the operation is kept.
    """
    targets = sql.SQL(", ").join(sql.Identifier(p.name) for p in PARENTS if p in parents)
    pause = 0.005
    deadline = time.monotonic() + LOCK_WAIT_LIMIT
    while True:
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT))
                )
                conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(targets))
                conn.execute("SET LOCAL lock_timeout TO DEFAULT")
            return
        except errors.LockNotAvailable:
            if time.monotonic() >= deadline:
                raise SeedError(
                    f"Other sessions kept the shared tables {', '.join(p.name for p in parents)}"
                    f" busy for {LOCK_WAIT_LIMIT:g} s (a long query or a transaction left open"
                    " on them), so this operation was undone and nothing changed. Try again once"
                    " they finish.",
                    status=503,
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
