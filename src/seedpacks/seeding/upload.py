"""CSV upload: replace one pack table's rows with an uploaded file, inside the caller's transaction.

The file streams into a staging table of text columns through COPY (never whole in memory), one
`INSERT ... SELECT` maps it onto the table in bulk (`upload_mapping`), and the table keeps its
identity, so the segment views over it keep working. Any error leaves the transaction to roll back.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from seedpacks.errors import BadRequest
from seedpacks.packs.model import Pack, Table
from seedpacks.seeding import ddl, history, manifest, partitions, segments
from seedpacks.seeding.progress import Progress
from seedpacks.seeding.upload_errors import check_references, diagnose
from seedpacks.seeding.upload_mapping import (
    LINE,
    STAGE,
    Plan,
    drop_counts_query,
    mapped_query,
    plan,
    stage_column,
)
from seedpacks.seeding.upload_stream import (
    read_header,
    sniff_delimiter,
    split_header,
    without_trailing_blank_lines,
)

STEP_RECEIVE = "Receiving the file"
STEP_MAP = "Mapping rows"
STEP_FINISH = "Building keys, segments and history"
UPLOAD_STEPS = [(STEP_RECEIVE, 70), (STEP_MAP, 20), (STEP_FINISH, 10)]

_COPY_PROBLEMS = {
    "extra data after last expected column": "has more fields than the header's {width}",
    "missing data for column": "has fewer fields than the header's {width}",
}


@dataclass
class UploadResult:
    rows: int
    dropped: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    interactions_removed: int = 0
    counts: dict[str, int] = field(default_factory=dict)


# Wider than any pack table could map, and PostgreSQL stages at most 1,600 columns.
MAX_FILE_COLUMNS = 1000


def upload_target(pack: Pack, schema: str) -> Table:
    """Return the pack table `schema` names, or raise BadRequest (not in the pack, no mapping)."""
    try:
        table = pack.table(schema)
    except KeyError:
        names = ", ".join(t.name for t in pack.tables)
        raise BadRequest(
            f"Schema '{schema}' is not part of {pack.name}; its schemas are: {names}.",
            schemaName=schema,
            datasetKey=pack.key,
        ) from None
    if table.csv is None:
        raise BadRequest(
            f"{pack.name} does not support CSV upload into {schema}.",
            schemaName=schema,
            datasetKey=pack.key,
        )
    return table


def _counted(chunks: Iterable[bytes], progress: Progress) -> Iterator[bytes]:
    done = 0
    for chunk in chunks:
        done += len(chunk)
        yield chunk
        progress.rows(done)


def _copy_error(error: psycopg.Error, width: int) -> BadRequest:
    context = error.diag.context or ""
    found = re.search(r"line (\d+)", context)
    where = f"Line {found[1]}" if found else "The file"
    primary = (error.diag.message_primary or str(error)).strip()
    if isinstance(
        error, psycopg.errors.CharacterNotInRepertoire | psycopg.errors.UntranslatableCharacter
    ):
        detail = primary.split(":", 1)[-1].strip()
        return BadRequest(
            f"{where} is not valid UTF-8 ({detail}): save the file as UTF-8 and upload again."
        )
    if primary.startswith("unterminated CSV quoted field"):
        return BadRequest(
            f'A quoted field (") is never closed: the file ends inside it, at line '
            f"{found[1] if found else '?'}; look for an unbalanced quote before that line."
        )
    for problem, said in _COPY_PROBLEMS.items():
        if primary.startswith(problem):
            return BadRequest(f"{where} {said.format(width=width)}.")
    return BadRequest(f"{where} could not be read as CSV: {primary}.")


def stage(conn: psycopg.Connection, *, table: Table, chunks: Iterator[bytes]) -> tuple[Plan, int]:
    """COPY the file into a staging table of text columns; return the mapping plan and rows."""
    assert table.csv is not None
    header_line, head = read_header(chunks)
    delimiter = sniff_delimiter(header_line, table.csv.delimiters)
    header = split_header(header_line, delimiter)
    if len(header) > MAX_FILE_COLUMNS:
        raise BadRequest(
            f"The file's header has {len(header)} columns; an upload takes at most "
            f"{MAX_FILE_COLUMNS} (PostgreSQL stages each as a column, up to 1,600)."
        )
    p = plan(table, header, delimiter)
    columns = [sql.Identifier(stage_column(i)) for i in range(len(header))]
    conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {} ({} bigint GENERATED ALWAYS AS IDENTITY, {}) ON COMMIT DROP"
        ).format(
            sql.Identifier(STAGE),
            sql.Identifier(LINE),
            sql.SQL(", ").join(sql.SQL("{} text").format(c) for c in columns),
        )
    )
    statement = sql.SQL(
        "COPY {} ({}) FROM STDIN (FORMAT csv, HEADER true, DELIMITER {}, ENCODING 'UTF8')"
    ).format(sql.Identifier(STAGE), sql.SQL(", ").join(columns), sql.Literal(delimiter))

    def rest() -> Iterator[bytes]:
        yield head
        yield from chunks

    try:
        with conn.cursor() as cur:
            with cur.copy(statement) as copy:
                for chunk in without_trailing_blank_lines(rest()):
                    copy.write(chunk)
            rows = cur.rowcount
    except (psycopg.errors.DataError, psycopg.errors.BadCopyFileFormat) as exc:
        raise _copy_error(exc, len(header)) from None
    return p, rows


def _drop_indexes(
    conn: psycopg.Connection, target: sql.Composable, pg_schema: str, name: str
) -> None:
    """Drop the table's key and indexes: rebuilt after the rows are in, faster than kept up."""
    rows = conn.execute(
        "SELECT i.relname, con.conname FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = t.oid"
        " WHERE n.nspname = %s AND t.relname = %s",
        (pg_schema, name),
    ).fetchall()
    for index, constraint in rows:
        if constraint:
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    target, sql.Identifier(constraint)
                )
            )
        else:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(pg_schema, index)))


def replace_rows(conn: psycopg.Connection, *, p: Plan, pg_schema: str) -> int:
    """Swap the table's rows for the staged file's, mapped; 400 naming the first bad line."""
    table = p.table
    target = sql.Identifier(pg_schema, table.name)
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.columns)
    try:
        # A savepoint: when the mapping fails, the staged rows stay readable for the diagnosis.
        with conn.transaction():
            conn.execute(sql.SQL("TRUNCATE {}").format(target))
            _drop_indexes(conn, target, pg_schema, table.name)
            inserted = conn.execute(
                sql.SQL("INSERT INTO {} ({}) SELECT {} FROM ({}) t").format(
                    target, names, names, mapped_query(p)
                )
            ).rowcount
            if inserted == 0:
                return 0
            ddl.add_constraints(conn, pg_schema=pg_schema, table=table)
    except (
        psycopg.errors.DataError,
        psycopg.errors.IntegrityError,
        psycopg.errors.ProgramLimitExceeded,
    ) as exc:
        raise diagnose(conn, p, exc) from None
    return inserted


def _dropped(conn: psycopg.Connection, p: Plan) -> dict[str, int]:
    assert p.table.csv is not None
    row = conn.execute(drop_counts_query(p)).fetchone()
    reasons = [str(rule.get("reason", "dropped")) for rule in p.table.csv.drop_rows]
    found: dict[str, int] = {}
    for reason, count in zip(reasons, row or (), strict=False):
        if count:
            found[reason] = found.get(reason, 0) + int(count)
    return found


def prune_statement(*, pack: Pack, pg_schema: str, history_table: str) -> sql.Composed:
    """Return the DELETE of `history_table`'s rows whose customer the customer table lacks.

    History ids compare bytewise (collation "C", migration 0006), and so does the customer
    table's text key (ddl.bytewise_columns): compared in that one collation, the key's index can
    serve the anti join. Across two collations PostgreSQL 15 could only hash or rescan the
    customers (109 s of an upload).
    """
    truth = pack.ground_truth
    return sql.SQL(
        "DELETE FROM {} h WHERE h.tenant_id = %s AND h.dataset_key = %s AND NOT EXISTS"
        " (SELECT 1 FROM {} c WHERE c.{}::text = h.customer_id)"
    ).format(
        sql.Identifier(history_table),
        sql.Identifier(pg_schema, truth.customer_table),
        sql.Identifier(truth.customer_id),
    )


def _prune_history(conn: psycopg.Connection, *, tenant: str, pack: Pack, pg_schema: str) -> int:
    """Delete history of customers no longer in the customer table; retrain from what is left."""
    # Without statistics the planner takes a just-loaded history for a row or two and may scan
    # the customers once per history row: on PostgreSQL 15, 109 s for 495 summaries against
    # 916,666 uploaded customers; with them, 15 ms.
    partitions.analyze(conn, tenant=tenant)
    removed = 0
    for name in ("interaction_summaries", "interactions"):
        statement = prune_statement(pack=pack, pg_schema=pg_schema, history_table=name)
        removed = conn.execute(statement, (tenant, pack.key)).rowcount
    if removed:
        history.train_models(conn, tenant=tenant, pack=pack)
    return removed


def _refresh_counts(
    conn: psycopg.Connection, *, tenant: str, pack: Pack, table: Table, rows: int
) -> dict[str, int]:
    """Update the loaded pack's recorded counts to what the database now holds."""
    counts: dict[str, int] = {table.count_key: rows}
    counts["segmentCustomers"] = segments.refresh_counts(conn, tenant=tenant, dataset_key=pack.key)
    for key, name in (
        ("interactions", "interactions"),
        ("interactionSummaries", "interaction_summaries"),
    ):
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE tenant_id = %s AND dataset_key = %s").format(
                sql.Identifier(name)
            ),
            (tenant, pack.key),
        ).fetchone()
        counts[key] = int(row[0]) if row else 0
    conn.execute(
        "UPDATE loaded_datasets SET counts = counts || %s"
        " WHERE tenant_id = %s AND dataset_key = %s",
        (Jsonb(counts), tenant, pack.key),
    )
    return counts


def upload_csv(
    conn: psycopg.Connection,
    *,
    tenant: str,
    pack: Pack,
    table: Table,
    pg_schema: str,
    chunks: Iterable[bytes],
    size: int | None,
    progress: Progress,
) -> UploadResult:
    """Replace `table`'s rows with the CSV `chunks`; the caller owns the transaction."""
    progress.step(STEP_RECEIVE, rows_total=size or 0)
    p, staged = stage(conn, table=table, chunks=_counted(chunks, progress))
    progress.step(STEP_MAP)
    rows = replace_rows(conn, p=p, pg_schema=pg_schema) if staged else 0
    if rows == 0:
        why = "the file has a header but no rows" if not staged else "every row was dropped"
        raise BadRequest(f"No valid rows to upload into {table.name}: {why}.")
    check_references(conn, p=p, pg_schema=pg_schema)
    progress.step(STEP_FINISH)
    dropped = _dropped(conn, p) if staged > rows else {}
    removed = 0
    if table.name == pack.ground_truth.customer_table:
        removed = _prune_history(conn, tenant=tenant, pack=pack, pg_schema=pg_schema)
    counts = _refresh_counts(conn, tenant=tenant, pack=pack, table=table, rows=rows)
    manifest.refresh_after_upload(conn, tenant=tenant, pack=pack, table=table, pg_schema=pg_schema)
    return UploadResult(rows, dropped, list(p.ignored), removed, counts)


def describe_result(result: UploadResult) -> dict[str, Any]:
    """Return the upload's details beyond the reference's response fields."""
    return {
        "rowsDropped": result.dropped,
        "ignoredColumns": result.ignored_columns,
        "interactionsRemoved": result.interactions_removed,
    }
