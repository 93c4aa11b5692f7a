"""Plain helper functions for tests: a server in a thread, what the database holds for a tenant."""

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.seeding.entities import KINDS
from seedpacks.seeding.tenancy import tenant_schema


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on a loopback port, in a thread, for the block; yield its URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


def post_at_once(
    server: str, path: str, headers: dict[str, dict[str, str]], *, content: bytes | None = None
) -> dict[str, httpx.Response]:
    """POST `path` (with body `content`) once per entry of `headers` (a name: its headers), all
    released at the same moment from threads of their own; return each name's response."""
    answers: dict[str, httpx.Response] = {}
    start = threading.Barrier(len(headers))

    def post(name: str) -> None:
        with httpx.Client(base_url=server, timeout=300) as own:
            start.wait()
            answers[name] = own.post(path, headers=headers[name], content=content)

    threads = [threading.Thread(target=post, args=(name,)) for name in headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def counts_in_database(pool: ConnectionPool, tenant: str, key: str) -> dict[str, int]:
    """Count, table by table, what the database holds of `tenant`'s pack `key`."""
    counts: dict[str, int] = {}
    with pool.connection() as conn:
        for kind in KINDS:
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE tenant_id = %s AND dataset_key = %s").format(
                    sql.Identifier(kind.table)
                ),
                (tenant, key),
            ).fetchone()
            counts[kind.count_key] = row[0] if row else 0
        for table, key_name in (
            ("interactions", "interactions"),
            ("interaction_summaries", "interactionSummaries"),
        ):
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE tenant_id = %s AND dataset_key = %s").format(
                    sql.Identifier(table)
                ),
                (tenant, key),
            ).fetchone()
            counts[key_name] = row[0] if row else 0
        tables = conn.execute(
            "SELECT pg_schema, table_name FROM data_schemas"
            " WHERE tenant_id = %s AND dataset_key = %s",
            (tenant, key),
        ).fetchall()
        for pg_schema, table in tables:
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(pg_schema, table))
            ).fetchone()
            counts[f"{table}_rows"] = row[0] if row else 0
        row = conn.execute(
            "SELECT coalesce(sum(customer_count), 0) FROM segments"
            " WHERE tenant_id = %s AND dataset_key = %s",
            (tenant, key),
        ).fetchone()
        counts["segmentCustomers"] = int(row[0]) if row else 0
    return counts


def tenant_footprint(pool: ConnectionPool, tenant: str) -> dict[str, int]:
    """Return every public table's row count for `tenant` (those with a dataset_key column),
    plus the relations in the tenant's schema, keyed 'schema:<relation>'."""
    found: dict[str, int] = {}
    with pool.connection() as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_name = 'dataset_key'"
        ).fetchall()
        for (table,) in tables:
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE tenant_id = %s").format(
                    sql.Identifier(table)
                ),
                (tenant,),
            ).fetchone()
            if row and row[0]:
                found[table] = row[0]
        relations = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s",
            (tenant_schema(tenant),),
        ).fetchall()
        found |= {f"schema:{name}": 1 for (name,) in relations}
        schema = conn.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (tenant_schema(tenant),)
        ).fetchone()
        if schema:
            found["schema"] = 1
    return found


@contextmanager
def held_request(
    server: str,
    path: str,
    *,
    headers: dict[str, str],
    length: int | None,
    sent: bytes = b"",
    method: str = "POST",
) -> Iterator[socket.socket]:
    """Send a request declaring a body of `length` bytes, then only `sent` of it; hold it open.

    With `length` None, no Content-Length is sent (for a chunked body the caller writes).

    The client of a stalled upload: it neither sends the rest nor goes away.
    """
    host, port = server.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    head += [f"Content-Length: {length}"] if length is not None else []
    head += [f"{name}: {value}" for name, value in headers.items()]
    try:
        sock.sendall("\r\n".join(head).encode() + b"\r\n\r\n" + sent)
        yield sock
    finally:
        sock.close()


def answer_of(sock: socket.socket, *, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    """Read the response the server sends on `sock`: its status and JSON body."""
    sock.settimeout(timeout)
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, json.loads(response.read())


def multipart_head(boundary: str, *, schema: str) -> bytes:
    """Return the start of an upload body: the schema field, then the file part's headers."""
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="schema"\r\n\r\n{schema}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
