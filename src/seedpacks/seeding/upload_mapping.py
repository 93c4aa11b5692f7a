"""A pack table's CSV mapping (the reference's `mapCsvRow()`) as one SQL query over staged text.

The uploaded file is first COPied as text into a staging table with one column per file column
(`c1`, `c2`, ...) and a record number (`_line`). `plan()` matches the file's header to the table's
columns and declarations; `mapped_query()` turns the staged text into typed rows in bulk, so no
Python runs per value.
"""

import re
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from seedpacks.errors import BadRequest
from seedpacks.packs.model import Column, Filter, Table
from seedpacks.seeding.ddl import SQL_TYPES
from seedpacks.seeding.segments import filter_sql

STAGE = "seedpacks_upload"
LINE = "_line"

# strftime directives a date format may use: regex and position in the ISO text rebuilt from it.
_DIRECTIVES = {"Y": r"(\d{4})", "m": r"(\d{1,2})", "d": r"(\d{1,2})"}
_DIRECTIVES |= {"H": r"(\d{1,2})", "M": r"(\d{1,2})", "S": r"(\d{1,2}(?:\.\d+)?)"}
_ISO_ORDER = "YmdHMS"
# Formats PostgreSQL reads natively (ISO 8601, basic and extended).
_NATIVE_DATES = {"%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"}

_EXPECTED = {
    "text": "text",
    "integer": "a whole number",
    "bigint": "a whole number",
    "decimal": "a number",
    "boolean": "a yes/no value (Yes/No, true/false, 1/0)",
    "date": "a date",
    "timestamp": "a date and time",
    "json": "JSON",
}


def normalize(name: str) -> str:
    """Return a header name as it is matched: case, spaces, dots and underscores ignored."""
    return re.sub(r"[^0-9a-z]", "", name.strip().lower())


def stage_column(index: int) -> str:
    return f"c{index + 1}"


@dataclass(frozen=True)
class Source:
    """Where one table column's value comes from."""

    kind: str  # "file", "json" (a key of a JSON file column), "generated" or "null"
    index: int = -1  # the file column (0-based)
    header: str = ""  # the file column's name as written
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    table: Table
    delimiter: str
    header: tuple[str, ...]
    sources: dict[str, Source]
    ignored: tuple[str, ...] = ()
    json_sources: tuple[int, ...] = ()


def _find(header: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    wanted = [normalize(n) for n in names]
    normalized = [normalize(h) for h in header]
    for name in wanted:
        if name in normalized:
            return normalized.index(name)
    return None


def plan(table: Table, header: tuple[str, ...], delimiter: str) -> Plan:
    """Match the file's header to the table's columns; 400 naming a column it lacks."""
    assert table.csv is not None
    sources: dict[str, Source] = {}
    used: set[int] = set()
    missing: list[str] = []
    for col in table.columns:
        found = _find(header, (col.name, *col.csv.aliases))
        derive_from = col.csv.derive.get("column")
        source_index = _find(header, (derive_from,)) if derive_from else None
        if found is not None:
            sources[col.name] = Source("file", found, header[found])
            used.add(found)
        elif source_index is not None:
            keys = tuple(col.csv.derive.get("json_keys", (col.name,)))
            sources[col.name] = Source("json", source_index, header[source_index], keys)
            used.add(source_index)
        elif col.name in table.csv.generated:
            sources[col.name] = Source("generated")
        elif col.csv.required or not col.nullable or col.name in table.primary_key:
            missing.append(_column_names(col))
        else:
            sources[col.name] = Source("null")
    if missing:
        shown = "; ".join(missing)
        raise BadRequest(
            f"The file's header has no column for {shown}. "
            f"Its columns are: {', '.join(repr(h) for h in header)}.",
            expectedColumns=[c.name for c in table.columns],
        )
    ignored = tuple(h for i, h in enumerate(header) if i not in used)
    json_sources = tuple(sorted({s.index for s in sources.values() if s.kind == "json"}))
    return Plan(table, delimiter, header, sources, ignored, json_sources)


def _column_names(col: Column) -> str:
    names = [col.name, *col.csv.aliases]
    if col.csv.derive.get("column"):
        names.append(f"{col.csv.derive['column']} (JSON)")
    return "'" + "' or '".join(names) + "'"


def _literals(values: list[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Literal(v) for v in values)


def clean(value: sql.Composable, col: Column) -> sql.Composable:
    """Return the staged text with the column's sentinels (and blanks, unless text) as NULL."""
    sentinels = list(col.csv.sentinels)
    if col.type != "text" and "" not in sentinels:
        sentinels.append("")
    if not sentinels:
        return value
    trimmed = sql.SQL("btrim({})").format(value)
    if any(ch.isalpha() for s in sentinels for ch in s):
        trimmed = sql.SQL("lower({})").format(trimmed)
        sentinels = [s.strip().lower() for s in sentinels]
    else:
        sentinels = [s.strip() for s in sentinels]
    return sql.SQL("CASE WHEN {} IN ({}) THEN NULL ELSE {} END").format(
        trimmed, _literals(sorted(set(sentinels))), value
    )


def python_json(value: sql.Composable) -> sql.Composable:
    """Return JSON text; Python-style literals ("{'a': 1}", "['x']") get double quotes."""
    return sql.SQL(
        "CASE WHEN {v} ~ '^\\s*[\\[{{]\\s*''' THEN translate({v}, '''', '\"') ELSE {v} END"
    ).format(v=value)


def date_format(fmt: str) -> tuple[str, str]:
    """Return (regex, replacement) turning text in strftime `fmt` into ISO text."""
    regex, order = "", []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            directive = fmt[i + 1]
            if directive == "%":
                regex += "%"
            elif directive in _DIRECTIVES:
                regex += _DIRECTIVES[directive]
                order.append(directive)
            else:
                raise ValueError(f"date format directive %{directive} is not supported")
            i += 2
        else:
            regex += re.escape(fmt[i])
            i += 1
    group = {d: f"\\{n + 1}" for n, d in enumerate(order)}
    date = "-".join(group.get(d, "01") for d in "Ymd")
    time = ":".join(group.get(d, "00") for d in "HMS")
    return f"^\\s*{regex}\\s*$", date + (" " + time if set(order) & set("HMS") else "")


def convert(value: sql.Composable, col: Column) -> sql.Composable:
    """Return text PostgreSQL casts to the column's type (NULL stays NULL)."""
    if col.type in ("integer", "bigint"):
        # "7.0" (a float column written by pandas) is the whole number 7
        return sql.SQL(
            "CASE WHEN strpos({v}, '.') > 0 "
            "THEN regexp_replace({v}, '^\\s*([+-]?[0-9]+)\\.0*\\s*$', '\\1') ELSE {v} END"
        ).format(v=value)
    if col.type == "json":
        return python_json(value)
    if col.type == "boolean":
        trues = [str(v).lower() for v in col.csv.parse.get("true", ())]
        falses = [str(v).lower() for v in col.csv.parse.get("false", ())]
        if not trues and not falses:
            return value  # PostgreSQL reads yes/no, true/false, 1/0, t/f, on/off
        lowered = sql.SQL("lower(btrim({}))").format(value)
        cases = [
            sql.SQL("WHEN {} IN ({}) THEN {}").format(lowered, _literals(words), sql.Literal(word))
            for words, word in ((trues, "true"), (falses, "false"))
            if words
        ]
        return sql.SQL("CASE {} ELSE {} END").format(sql.SQL(" ").join(cases), value)
    if col.type in ("date", "timestamp"):
        formats = [f for f in col.csv.parse.get("date_formats", ()) if f not in _NATIVE_DATES]
        if not formats:
            return value
        cases = []
        for fmt in formats:
            regex, replacement = date_format(fmt)
            cases.append(
                sql.SQL("WHEN {v} ~ {r} THEN regexp_replace({v}, {r}, {s})").format(
                    v=value, r=sql.Literal(regex), s=sql.Literal(replacement)
                )
            )
        return sql.SQL("CASE {} ELSE {} END").format(sql.SQL(" ").join(cases), value)
    return value


def sql_type(col: Column) -> sql.Composable:
    """Return the column's SQL type (as the table declares it, decimals included)."""
    if col.type == "decimal":
        return sql.SQL("numeric(14, {})").format(sql.Literal(getattr(col, "decimals", 2)))
    return sql.SQL(SQL_TYPES[col.type])


def typed(value: sql.Composable, col: Column) -> sql.Composable:
    if col.type == "text":
        return value
    return sql.SQL("({})::{}").format(convert(value, col), sql_type(col))


def json_key(source: sql.Composable, keys: tuple[str, ...]) -> sql.Composable:
    """Return the first present key of the JSON `source` as text."""
    picks = [sql.SQL("{} ->> {}").format(source, sql.Literal(k)) for k in keys]
    return (
        picks[0] if len(picks) == 1 else sql.SQL("coalesce({})").format(sql.SQL(", ").join(picks))
    )


def _staged(index: int) -> sql.Composable:
    return sql.Identifier("s", stage_column(index))


def _json_alias(index: int) -> str:
    return f"_json{index + 1}"


def _drop_filter(rule: dict[str, Any]) -> sql.Composable:
    when = rule["when"]
    return filter_sql(Filter(when["column"], when["operator"], when.get("value")))


def mapped_query(p: Plan, *, keep_dropped: bool = False) -> sql.Composed:
    """Return SELECT `_line`, then the table's columns typed, one row per kept staged row.

    The inner level cleans each file column once (OFFSET 0 keeps PostgreSQL from inlining it into
    every use); the outer level casts. Drop rules filter the typed rows.
    """
    assert p.table.csv is not None
    inner: list[sql.Composable] = [sql.Identifier("s", LINE)]
    outer: list[sql.Composable] = [sql.Identifier("m", LINE)]
    for col in p.table.columns:
        src = p.sources[col.name]
        alias = sql.Identifier(col.name)
        if src.kind == "file":
            inner.append(sql.SQL("{} AS {}").format(clean(_staged(src.index), col), alias))
            outer.append(
                sql.SQL("{} AS {}").format(typed(sql.Identifier("m", col.name), col), alias)
            )
        elif src.kind == "json":
            value = json_key(sql.Identifier("m", _json_alias(src.index)), src.keys)
            outer.append(sql.SQL("{} AS {}").format(typed(clean(value, col), col), alias))
        elif src.kind == "generated":
            outer.append(
                sql.SQL("{}::{} AS {}").format(sql.Identifier("m", LINE), sql_type(col), alias)
            )
        else:
            outer.append(sql.SQL("NULL::{} AS {}").format(sql_type(col), alias))
    for index in p.json_sources:
        source = python_json(sql.SQL("nullif(btrim({}), '')").format(_staged(index)))
        inner.append(
            sql.SQL("({})::jsonb AS {}").format(source, sql.Identifier(_json_alias(index)))
        )
    query = sql.SQL("SELECT {} FROM (SELECT {} FROM {} s OFFSET 0) m").format(
        sql.SQL(", ").join(outer), sql.SQL(", ").join(inner), sql.Identifier(STAGE)
    )
    rules = p.table.csv.drop_rows
    if not rules or keep_dropped:
        return query
    dropped = sql.SQL(" OR ").join(sql.SQL("({})").format(_drop_filter(dict(r))) for r in rules)
    return sql.SQL("SELECT * FROM ({} OFFSET 0) t WHERE ({}) IS NOT TRUE").format(query, dropped)


def drop_counts_query(p: Plan) -> sql.Composed:
    """Return SELECT one count per drop rule over the typed rows (a row counts for its first)."""
    assert p.table.csv is not None
    counts: list[sql.Composable] = []
    earlier: list[sql.Composable] = []
    for rule in p.table.csv.drop_rows:
        cond = sql.SQL("({})").format(_drop_filter(dict(rule)))
        before = sql.SQL("").join([sql.SQL(" AND ({}) IS NOT TRUE").format(e) for e in earlier])
        counts.append(sql.SQL("count(*) FILTER (WHERE {} IS TRUE{})").format(cond, before))
        earlier.append(cond)
    return sql.SQL("SELECT {} FROM ({}) t").format(
        sql.SQL(", ").join(counts), mapped_query(p, keep_dropped=True)
    )


def expectation(col: Column) -> str:
    """Say in words what a value of `col` must look like."""
    text = _EXPECTED[col.type]
    formats = col.csv.parse.get("date_formats")
    if col.type in ("date", "timestamp") and formats:
        shown = " or ".join(
            f.replace("%Y", "YYYY")
            .replace("%m", "MM")
            .replace("%d", "DD")
            .replace("%H", "hh")
            .replace("%M", "mm")
            .replace("%S", "ss")
            for f in formats
        )
        text += f" ({shown})"
    if col.type in ("date", "timestamp") and not formats:
        text += " (YYYY-MM-DD)" if col.type == "date" else " (YYYY-MM-DD hh:mm:ss)"
    return text
