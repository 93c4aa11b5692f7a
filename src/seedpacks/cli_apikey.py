"""`seedpacks apikey`: create, list and revoke the API keys of SEEDPACKS_AUTH=api-key."""

from typing import Annotated, Any

import typer
from rich.table import Table

from seedpacks import cli_output as show_
from seedpacks.auth import keys
from seedpacks.cli_support import emit_json, session

apikey = typer.Typer(
    help="Create, list and revoke API keys (only a hash of each key is stored).",
    no_args_is_help=True,
)
Json = Annotated[bool, typer.Option("--json", help="print JSON on stdout, for scripts")]
KeyTenant = Annotated[str, typer.Option("--tenant", "-t", help="the tenant the key acts for")]


@apikey.command()
def create(
    tenant: KeyTenant,
    role: Annotated[str, typer.Option(help="admin, editor or viewer")],
    name: Annotated[str, typer.Option(help="what the key is for, shown in `list`")] = "",
    expires: Annotated[
        int | None, typer.Option(metavar="DAYS", help="days until the key stops working")
    ] = None,
    json: Json = False,
) -> None:
    """Create a key and print it, the only time it is shown (stdout: the key alone)."""
    with session(json_output=json) as s, s.pool.connection() as conn:
        created = keys.create_key(conn, tenant=tenant, role=role, name=name, expires_days=expires)
    if json:
        emit_json(created)
        return
    typer.echo(created["key"])
    until = f"until {created['expiresAt'][:16]} UTC" if created["expiresAt"] else "with no expiry"
    typer.echo(
        f"API key {created['id']} for tenant '{tenant}' as {created['role']}, {until}. It is "
        "shown only this once: only its hash is stored.",
        err=True,
    )


@apikey.command("list")
def list_keys(
    tenant: Annotated[
        str | None, typer.Option("--tenant", "-t", help="only this tenant's keys")
    ] = None,
    json: Json = False,
) -> None:
    """List the keys (never the keys themselves): tenant, role, state, expiry, last use."""
    with session(json_output=json) as s, s.pool.connection() as conn:
        listed = keys.list_keys(conn, tenant=tenant)
    if json:
        emit_json(listed)
    else:
        show_.console().print(_table(listed))


@apikey.command()
def revoke(
    key_id: Annotated[str, typer.Argument(metavar="ID", help="the key's id (see `list`)")],
    tenant: KeyTenant,
    json: Json = False,
) -> None:
    """Revoke a key: it stops working within SEEDPACKS_API_KEY_CACHE_SECONDS on every server."""
    with session(json_output=json) as s, s.pool.connection() as conn:
        revoked = keys.revoke_key(conn, tenant=tenant, key_id=key_id)
    if json:
        emit_json(revoked)
    else:
        typer.echo(f"Revoked API key {key_id} of tenant '{tenant}' ({revoked['revokedAt'][:16]}).")


def _table(listed: list[dict[str, Any]]) -> Table:
    table = Table(title="API keys", title_justify="left")
    for heading in ("Id", "Tenant", "Role", "Name", "State", "Created", "Expires", "Last used"):
        table.add_column(heading)
    for key in listed:
        table.add_row(
            key["id"],
            key["tenant"],
            key["role"],
            key["name"],
            key["state"],
            *(
                (key[field] or "")[:16].replace("T", " ")
                for field in ("createdAt", "expiresAt", "lastUsedAt")
            ),
        )
    return table
