"""Ask, in SQL, whether a text is valid input for a type, on every supported PostgreSQL.

PostgreSQL 16 has `pg_input_is_valid(text, type)`. On 15 the same question is a temporary
PL/pgSQL function per type that casts and catches the cast's data exception (SQLSTATE class 22,
the class of every input error `pg_input_is_valid` reports as false). It lives in the session's
`pg_temp` schema and only within the failed upload's transaction, which rolls back.
"""

import hashlib

import psycopg
from psycopg import sql

# The first major version with pg_input_is_valid().
_NATIVE_FROM = 160000


def input_is_valid(
    conn: psycopg.Connection, value: sql.Composable, type_sql: sql.Composable
) -> sql.Composable:
    """Return an expression true when `value` (text) reads as `type_sql`; NULL for NULL."""
    type_text = type_sql.as_string(conn)
    if conn.info.server_version >= _NATIVE_FROM:
        return sql.SQL("pg_input_is_valid({}, {})").format(value, sql.Literal(type_text))
    name = "seedpacks_valid_" + hashlib.sha256(type_text.encode()).hexdigest()[:16]
    # The body is a string: the type goes in as the declared SQL (pack data, never user input).
    conn.execute(
        sql.SQL(
            "CREATE OR REPLACE FUNCTION pg_temp.{name} (value text) RETURNS boolean"
            " LANGUAGE plpgsql STRICT AS $body$"
            " BEGIN PERFORM value::{type}; RETURN true;"
            " EXCEPTION WHEN data_exception THEN RETURN false; END $body$"
        ).format(name=sql.Identifier(name), type=type_sql)
    )
    return sql.SQL("pg_temp.{}({})").format(sql.Identifier(name), value)
