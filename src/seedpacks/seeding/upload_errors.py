"""Say which line, column and value of an uploaded file could not be mapped, and what was expected.

Runs only after the bulk mapping has failed: each check is one query over the staging table that
finds the first offending record, so a good file pays nothing for it.
"""

import re

import psycopg
from psycopg import sql

from seedpacks.errors import BadRequest
from seedpacks.seeding.input_valid import input_is_valid
from seedpacks.seeding.upload_mapping import (
    LINE,
    STAGE,
    Plan,
    clean,
    convert,
    expectation,
    json_key,
    mapped_query,
    python_json,
    sql_type,
    stage_column,
)

_SHOWN = 80


def shown(value: str | None) -> str:
    """Return a value as quoted in a message, cut short when long."""
    if value is None:
        return "(empty)"
    text = value if len(value) <= _SHOWN else value[: _SHOWN - 3] + "..."
    return repr(text)


def _valid(
    conn: psycopg.Connection, value: sql.Composable, type_sql: sql.Composable
) -> sql.Composable:
    return sql.SQL("({}) IS NULL OR {}").format(value, input_is_valid(conn, value, type_sql))


def _first(conn: psycopg.Connection, query: sql.Composed) -> tuple[int, str | None] | None:
    row = conn.execute(query).fetchone()
    return (int(row[0]), row[1]) if row else None


def file_line(conn: psycopg.Connection, record: int, width: int) -> int:
    """Return the file line a staged record starts on (quoted fields may hold line breaks)."""
    fields = sql.SQL(", ").join(sql.Identifier(stage_column(i)) for i in range(width))
    row = conn.execute(
        sql.SQL(
            "SELECT coalesce(sum(length(t) - length(replace(t, E'\\n', ''))), 0)"
            " FROM (SELECT concat_ws('', {}) AS t FROM {} WHERE {} < %s) r"
        ).format(fields, sql.Identifier(STAGE), sql.Identifier(LINE)),
        (record,),
    ).fetchone()
    return 1 + record + (int(row[0]) if row else 0)


def _bad_values(conn: psycopg.Connection, p: Plan) -> list[tuple[int, str]]:
    """Return (record, message) of the first value each file column cannot take."""
    found: list[tuple[int, str]] = []
    stage, line = sql.Identifier(STAGE), sql.Identifier(LINE)
    for index in p.json_sources:
        staged = sql.Identifier(stage_column(index))
        text = python_json(sql.SQL("nullif(btrim({}), '')").format(staged))
        hit = _first(
            conn,
            sql.SQL("SELECT {l}, {r} FROM {s} WHERE NOT ({v}) ORDER BY {l} LIMIT 1").format(
                l=line, r=staged, s=stage, v=_valid(conn, text, sql.SQL("jsonb"))
            ),
        )
        if hit:
            found.append((hit[0], f"column '{p.header[index]}': {shown(hit[1])} is not JSON."))
    for col in p.table.columns:
        src = p.sources[col.name]
        if col.type == "text" or src.kind not in ("file", "json"):
            continue
        raw: sql.Composable = sql.Identifier(stage_column(src.index))
        guard: sql.Composable = sql.SQL("true")
        where = f"column '{src.header}'"
        if src.kind == "json":
            source = python_json(sql.SQL("nullif(btrim({}), '')").format(raw))
            guard = input_is_valid(conn, source, sql.SQL("jsonb"))
            raw = json_key(sql.SQL("({})::jsonb").format(source), src.keys)
            where += f" (key {' or '.join(repr(k) for k in src.keys)}, for {col.name})"
        value = clean(raw, col)
        hit = _first(
            conn,
            sql.SQL(
                "SELECT {l}, {r} FROM {s} WHERE CASE WHEN {g} THEN NOT ({v}) ELSE false END"
                " ORDER BY {l} LIMIT 1"
            ).format(
                l=line, r=raw, s=stage, g=guard, v=_valid(conn, convert(value, col), sql_type(col))
            ),
        )
        if hit:
            found.append((hit[0], f"{where}: {shown(hit[1])} is not {expectation(col)}."))
    return found


def _missing_values(conn: psycopg.Connection, p: Plan) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    mapped = mapped_query(p)
    for col in p.table.columns:
        src = p.sources[col.name]
        if (col.nullable and col.name not in p.table.primary_key) or src.kind == "generated":
            continue
        row = conn.execute(
            sql.SQL("SELECT min({}) FROM ({}) t WHERE {} IS NULL").format(
                sql.Identifier(LINE), mapped, sql.Identifier(col.name)
            )
        ).fetchone()
        if row and row[0] is not None:
            where = f"column '{src.header}'" if src.kind == "file" else f"column '{col.name}'"
            found.append((int(row[0]), f"{where}: a value is required, but it is empty."))
    return found


def _duplicate_key(conn: psycopg.Connection, p: Plan) -> list[tuple[int, str]]:
    keys = sql.SQL(", ").join(map(sql.Identifier, p.table.primary_key))
    row = conn.execute(
        sql.SQL(
            "SELECT {l}, first, concat_ws(', ', {k}) FROM (SELECT {l}, {k},"
            " min({l}) OVER (PARTITION BY {k}) AS first FROM ({m}) t) d"
            " WHERE {l} > first ORDER BY {l} LIMIT 1"
        ).format(l=sql.Identifier(LINE), k=keys, m=mapped_query(p)),
    ).fetchone()
    if not row:
        return []
    keys_named = p.table.primary_key
    src = p.sources[keys_named[0]]
    if len(keys_named) == 1 and src.kind == "file":
        where = f"column '{src.header}'"
    else:
        where = f"key ({', '.join(keys_named)})"
    return [
        (
            int(row[0]),
            f"{where}: {shown(row[2])} repeats the key of record {row[1]}; keys must be unique.",
        )
    ]


# A btree index row holds at most 2,704 bytes; a value near that cannot be a key or indexed.
INDEXED_MAX_BYTES = 2000


def _oversized(conn: psycopg.Connection, p: Plan) -> list[tuple[int, str]]:
    found = []
    for source in p.sources.values():
        if source.kind != "file":
            continue
        column = sql.Identifier(stage_column(source.index))
        row = conn.execute(
            sql.SQL(
                "SELECT {}, octet_length({}) FROM {} WHERE octet_length({}) > %s ORDER BY 1 LIMIT 1"
            ).format(sql.Identifier(LINE), column, sql.Identifier(STAGE), column),
            (INDEXED_MAX_BYTES,),
        ).fetchone()
        if row:
            found.append(
                (
                    int(row[0]),
                    f"column '{source.header}': the value is {row[1]:,} bytes; a key or indexed "
                    f"value may hold at most {INDEXED_MAX_BYTES:,}.",
                )
            )
    return found


def diagnose(conn: psycopg.Connection, p: Plan, error: psycopg.Error) -> BadRequest:
    """Return the 400 naming the first bad line of the staged file, and what it should hold."""
    width = len(p.header)
    too_long = isinstance(error, psycopg.errors.ProgramLimitExceeded)
    checks = (_oversized,) if too_long else (_bad_values, _missing_values, _duplicate_key)
    for check in checks:
        found = check(conn, p)
        if found:
            record, message = min(found)
            line = file_line(conn, record, width)
            message = re.sub(
                r"record (\d+)", lambda m: f"line {file_line(conn, int(m[1]), width)}", message
            )
            return BadRequest(f"Line {line}, {message}", line=line)
    reason = (error.diag.message_primary or str(error)).strip()
    return BadRequest(f"The file could not be mapped onto {p.table.name}: {reason}.")


def check_references(conn: psycopg.Connection, *, p: Plan, pg_schema: str) -> None:
    """Raise a 400 naming the first line whose reference (a declared one) finds no row."""
    for ref in p.table.references:
        if ref.table == p.table.name:
            continue
        column = sql.Identifier(ref.column)
        row = conn.execute(
            sql.SQL(
                "SELECT t.{c} FROM {t} t WHERE t.{c} IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM {r} r WHERE r.{k} = t.{c}) LIMIT 1"
            ).format(
                c=column,
                t=sql.Identifier(pg_schema, p.table.name),
                r=sql.Identifier(pg_schema, ref.table),
                k=sql.Identifier(ref.target),
            )
        ).fetchone()
        if row is None:
            continue
        value, source = row[0], p.sources.get(ref.column)
        where, line = f"column '{ref.column}'", None
        if source is not None and source.kind == "file":
            found = conn.execute(
                sql.SQL("SELECT min({}) FROM {} WHERE trim({}) = %s").format(
                    sql.Identifier(LINE),
                    sql.Identifier(STAGE),
                    sql.Identifier(stage_column(source.index)),
                ),
                (str(value),),
            ).fetchone()
            if found and found[0] is not None:
                line = file_line(conn, int(found[0]), len(p.header))
                where = f"Line {line}, column '{source.header}'"
        raise BadRequest(
            f"{where}: {shown(str(value))} is no {ref.target} of {ref.table}; upload that row "
            f"to {ref.table} first, or leave this one out.",
            line=line,
        )
