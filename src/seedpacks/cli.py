"""The `seedpacks` command: a thin layer over the same service functions as the API."""

import json as json_module
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from seedpacks import cli_output as show_
from seedpacks.auth.identity import MisconfiguredAuth
from seedpacks.cli_apikey import apikey
from seedpacks.cli_pack import definition_line, is_pack_file, load_file, pack
from seedpacks.cli_support import (
    ADMIN,
    ANY_ROLE,
    EXIT_USAGE,
    ApiKey,
    Tenant,
    emit_json,
    fail,
    session,
)
from seedpacks.config import Settings
from seedpacks.packs.describe import describe
from seedpacks.seeding import operations
from seedpacks.seeding.upload_stream import check_size

app = typer.Typer(
    help="Realistic dataset packs for a next-best-action platform.",
    no_args_is_help=True,
    # Boxed Rich help and errors on a terminal; plain lines for pipes, logs and scripts.
    rich_markup_mode="rich" if sys.stderr.isatty() else None,
    pretty_exceptions_enable=False,
)

app.add_typer(apikey, name="apikey")
app.add_typer(pack, name="pack")

DEFAULT_SEED = Settings.model_fields["default_seed"].default
Json = Annotated[bool, typer.Option("--json", help="print JSON on stdout, for scripts")]
Key = Annotated[
    str, typer.Argument(metavar="KEY", help="the pack's key, e.g. starbucks (see `list`)")
]


@app.command("list")
def list_packs(tenant: Tenant = None, api_key: ApiKey = None, json: Json = False) -> None:
    """List the dataset packs, with counts, and mark the tenant's loaded one."""
    with session(json_output=json) as s:
        tenant = s.tenant_for(tenant, api_key, roles=ADMIN, action="manage seed datasets")
        listing = operations.list_datasets(s.pool, tenant=tenant)
    if json:
        emit_json(listing)
    else:
        show_.console().print(show_.packs_table(listing))


@app.command()
def show(
    key: Key,
    scale: Annotated[
        int, typer.Option(min=1, metavar="N", help="describe the rows at this scale")
    ] = 1,
    tenant: Tenant = None,
    api_key: ApiKey = None,
    json: Json = False,
) -> None:
    """Describe a pack, built-in or the tenant's own: what it is for, what it creates, its
    tables and its ground truth."""
    with session(json_output=json) as s:
        tenant = s.tenant_for(tenant, api_key, roles=ANY_ROLE, action="read")
        found = operations.find_pack(s.pool, tenant=tenant, key=key, settings=s.settings)
        description = describe(found, scale)
        current = operations.loaded_key(s.pool, tenant=tenant)
    if json:
        emit_json(description)
        return
    show_.console().print(show_.pack_description(description))
    state = "is loaded" if current == key else f"is not loaded (loaded: {current or 'none'})"
    show_.console().print(f"{description['name']} {state} in tenant '{tenant}'.", markup=False)


@app.command()
def load(
    key: Annotated[
        str,
        typer.Argument(
            metavar="KEY",
            help="the pack's key, e.g. starbucks (see `list`), or a pack file (.yaml, .yml, .json)",
        ),
    ],
    tenant: Tenant = None,
    api_key: ApiKey = None,
    force: Annotated[bool, typer.Option(help="replace the loaded pack (or reload it)")] = False,
    seed: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="random seed; same seed, same rows "
            f"[default: {DEFAULT_SEED}, or SEEDPACKS_DEFAULT_SEED]",
        ),
    ] = None,
    scale: Annotated[
        int, typer.Option(metavar="N", help="multiply customers, events, interactions")
    ] = 1,
    json: Json = False,
) -> None:
    """Load a pack into the tenant (one transaction), showing its progress. A pack file is
    registered as the tenant's own pack first, in the same transaction (`--force` also replaces
    its definition while it is loaded)."""
    started = time.monotonic()
    with session(json_output=json) as s, show_.operation_progress() as listener:
        tenant = s.tenant_for(tenant, api_key, roles=ADMIN, action="manage seed datasets")
        if is_pack_file(key):
            result = load_file(
                s, Path(key), tenant=tenant, json=json, force=force, seed=seed, scale=scale,
                listener=listener,
            )  # fmt: skip
        else:
            result = operations.load_dataset(
                s.pool, s.settings, tenant=tenant, key=key, force=force, seed=seed, scale=scale,
                listener=listener,
            )  # fmt: skip
    if json:
        emit_json(result)
        return
    if "definition" in result:
        show_.console().print(definition_line(result, tenant=tenant) + ".", markup=False)
    replaced = f", replacing {result['replaced']}" if result["replaced"] else ""
    show_.console().print(
        f"{result['message']} into tenant '{tenant}' (seed {result['seed']}, "
        f"scale {result['scale']}{replaced}) in {time.monotonic() - started:.1f} s.",
        markup=False,
    )
    show_.console().print(show_.counts_table(result["counts"], title="Created"))


@app.command()
def remove(key: Key, tenant: Tenant = None, api_key: ApiKey = None, json: Json = False) -> None:
    """Remove the loaded pack from the tenant: exactly what its load created."""
    with session(json_output=json) as s:
        tenant = s.tenant_for(tenant, api_key, roles=ADMIN, action="manage seed datasets")
        result = operations.remove_dataset(s.pool, tenant=tenant, key=key)
    if json:
        emit_json(result)
        return
    show_.console().print(f"{result['message']} from tenant '{tenant}'.", markup=False)
    show_.console().print(show_.counts_table(result["counts"], title="Removed"))


@app.command()
def upload(
    key: Key,
    schema: Annotated[
        str,
        typer.Argument(metavar="TABLE", help="the pack table to replace, e.g. starbucks_customers"),
    ],
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", exists=True, dir_okay=False, readable=True, help="the CSV file"
        ),
    ],
    tenant: Tenant = None,
    api_key: ApiKey = None,
    json: Json = False,
) -> None:
    """Replace a loaded pack table's rows with a CSV file (one transaction), showing progress."""
    with session(json_output=json) as s:
        tenant = s.tenant_for(tenant, api_key, roles=ADMIN, action="upload seed dataset files")
        # The size is known here: a file over the limit is refused before a byte is sent.
        check_size(file.stat().st_size, max_bytes=s.settings.upload_max_bytes)
        with file.open("rb") as stream, show_.operation_progress() as listener:
            result = operations.upload_table(
                s.pool,
                s.settings,
                tenant=tenant,
                key=key,
                schema=schema,
                stream=stream,
                size=file.stat().st_size,
                listener=listener,
            )
    if json:
        emit_json(result)
    else:
        show_.console().print(f"{result['message']} in tenant '{tenant}'.", markup=False)


@app.command()
def export(
    schema: Annotated[
        str | None,
        typer.Argument(metavar="SCHEMA", help="the pack table, e.g. starbucks_customers"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="the file to write, - for stdout [default: SCHEMA.FORMAT, KEY-ground-truth.json]",
        ),
    ] = None,
    format: Annotated[str, typer.Option(help="csv or parquet")] = "csv",
    ground_truth: Annotated[
        bool, typer.Option("--ground-truth", help="the loaded pack's ground truth, as JSON")
    ] = False,
    tenant: Tenant = None,
    api_key: ApiKey = None,
) -> None:
    """Export a loaded pack table (CSV or Parquet, in key order) or the pack's ground truth."""
    from seedpacks.catalog import export as exporting

    if (schema is not None) == ground_truth:  # one of the two, not both
        fail("give either SCHEMA or --ground-truth (see `seedpacks export --help`)", EXIT_USAGE)
    with session() as s:
        tenant = s.tenant_for(tenant, api_key, roles=ANY_ROLE, action="read")
        with s.pool.connection() as conn:
            if schema is None:
                truth = exporting.loaded_ground_truth(conn, tenant=tenant)
                name = f"{truth['datasetKey']}-ground-truth.json"
                chunks: Iterable[bytes] = [json_module.dumps(truth, indent=2).encode() + b"\n"]
            else:
                fmt = exporting.check_format(format)
                table = exporting.find_table(conn, tenant=tenant, name=schema)
                name = exporting.file_name(table, fmt)
                writer = exporting.csv_chunks if fmt == "csv" else exporting.parquet_chunks
                chunks = writer(conn, table)
            written = show_.write_chunks(chunks, output or Path(name))
    if output != Path("-"):
        show_.console().print(f"Wrote {written:,} bytes to {output or name}.", markup=False)


@app.command()
def status(tenant: Tenant = None, api_key: ApiKey = None, json: Json = False) -> None:
    """Show the tenant's loaded pack and its current or last seed operation."""
    with session(json_output=json) as s:
        tenant = s.tenant_for(tenant, api_key, roles=ANY_ROLE, action="read")
        progress = operations.dataset_status(s.pool, tenant=tenant)
        current = operations.loaded_key(s.pool, tenant=tenant)
    result = {"currentlyLoaded": current, **progress}
    if json:
        emit_json(result)
    else:
        show_.console().print(show_.status_table(result))


@app.command()
def simulate(
    key: Key,
    decisions: Annotated[
        int, typer.Option(metavar="N", help="how many decisions to simulate")
    ] = 1000,
    policy: Annotated[str, typer.Option(metavar="POLICY", help="flow, random or oracle")] = "flow",
    tenant: Tenant = None,
    api_key: ApiKey = None,
    seed: Annotated[int, typer.Option(metavar="N", help="random seed of the simulation")] = 0,
    channel: Annotated[
        str | None,
        typer.Option(metavar="CHANNEL", help="the channel to decide on [default: most true arms]"),
    ] = None,
    json: Json = False,
) -> None:
    """Simulate decisions against the pack's ground truth (loading the pack if none is)."""
    from seedpacks.decisioning import simulate as simulation

    with session(json_output=json) as s, show_.operation_progress() as listener:
        tenant = s.tenant_for(tenant, api_key, roles=ADMIN, action="run simulations")
        if operations.loaded_key(s.pool, tenant=tenant) is None:
            operations.load_dataset(s.pool, s.settings, tenant=tenant, key=key, listener=listener)
        result = simulation.simulate(
            s.pool, tenant=tenant, decisions=decisions, policy=policy, seed=seed,
            channel=channel, pack_key=key,
            on_progress=lambda done: listener(show_.simulation_step(done, decisions)),
        ).as_json()  # fmt: skip
        with s.pool.connection() as conn:
            simulated = simulation.loaded_pack(conn, tenant=tenant, key=key)
    if json:
        emit_json(result)
    else:
        for line in simulation.report(result, pack=simulated):
            show_.console().print(line, markup=False)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(metavar="HOST", help="address to listen on [default: 127.0.0.1]")
    ] = None,
    port: Annotated[
        int | None, typer.Option(metavar="PORT", help="port to listen on [default: 8000]")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1, metavar="N", help="server processes (the service keeps its state in PostgreSQL)"
        ),
    ] = 1,
    access_log: Annotated[bool, typer.Option(help="log every request")] = True,
    allow_trusted_headers: Annotated[
        bool,
        typer.Option(
            "--allow-trusted-headers",
            help="with SEEDPACKS_AUTH=headers, listen beyond loopback (a gateway sets the headers)",
        ),
    ] = False,
) -> None:
    """Run the HTTP API (and its embedded PostgreSQL unless SEEDPACKS_DATABASE_URL is set)."""
    import os

    import uvicorn

    from seedpacks import db
    from seedpacks.api.app import create_app
    from seedpacks.auth.modes import serve_refusal
    from seedpacks.config import get_settings

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    if allow_trusted_headers:
        settings = settings.model_copy(update={"allow_trusted_headers": True})
    refusal = serve_refusal(settings, host=host)
    if refusal:
        fail(refusal, EXIT_USAGE)
    try:
        service = create_app(settings)
    except MisconfiguredAuth as exc:
        fail(str(exc), EXIT_USAGE)
    typer.echo(f"seedpacks: database: {db.describe(settings)}", err=True)
    if workers == 1:
        uvicorn.run(service, host=host, port=port, access_log=access_log)
        return
    # Worker processes import the app anew: start the embedded PostgreSQL once, here, and hand
    # every worker its URL rather than letting each start its own.
    os.environ["SEEDPACKS_DATABASE_URL"] = db.database_url(settings)
    uvicorn.run(
        "seedpacks.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
    )


@app.callback()
def main() -> None:
    """seedpacks: load, remove and inspect dataset packs."""
