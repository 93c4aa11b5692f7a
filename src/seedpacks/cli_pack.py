"""`seedpacks pack`: write a starter pack file, check one, preview what it would load, and
register one as a tenant's own pack (or delete it).

Only `register` and `delete` need the database: the others read and write files.
`seedpacks load FILE` registers the file as the tenant's own pack and loads it (`load_file`).
"""

import re
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from seedpacks import cli_output as show_
from seedpacks.cli_support import (
    ADMIN,
    EXIT_USAGE,
    ApiKey,
    Session,
    Tenant,
    emit_json,
    exit_code,
    fail,
    session,
)
from seedpacks.config import get_settings
from seedpacks.errors import BadRequest, InvalidPackFile, SeedError
from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packfile.infer import infer_pack_file
from seedpacks.packs import custom
from seedpacks.packs.describe import describe
from seedpacks.packs.model import Pack
from seedpacks.seeding.operations import Listener, check_load_arguments, load_pack_file

pack = typer.Typer(help="Pack files: your own pack, declared in YAML (see docs/pack-files.md).")

PACK_FILE_SUFFIXES = (".yaml", ".yml", ".json")
# The Content-Type the API would be sent for a file of each suffix (others are sniffed).
MEDIA_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json"}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
File = Annotated[
    Path,
    typer.Argument(
        metavar="FILE", exists=True, dir_okay=False, readable=True, help="the pack file"
    ),
]
Json = Annotated[bool, typer.Option("--json", help="print JSON on stdout, for scripts")]


def is_pack_file(name: str) -> bool:
    """Return whether a command's KEY argument names a pack file rather than a pack."""
    return name.lower().endswith(PACK_FILE_SUFFIXES)


def read_pack_file(path: Path) -> Pack:
    """Return the pack a file declares (InvalidPackFile, a 400, when it has problems)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc.strerror}") from None
    return parse_pack(text, origin=f"pack file {path.name}")


def load_file(
    s: Session,
    path: Path,
    *,
    tenant: str,
    json: bool,
    force: bool,
    seed: int | None,
    scale: int,
    listener: Listener,
) -> dict[str, Any]:
    """Register pack file `path` as the tenant's own pack and load it, in one transaction
    (operations.load_pack_file); a bad file lists its problems and exits 2."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc.strerror}") from None
    try:
        return load_pack_file(
            s.pool,
            s.settings,
            tenant=tenant,
            text=text,
            media_type=MEDIA_TYPES.get(path.suffix.lower(), "text/plain"),
            origin=f"pack file {path.name}",
            force=force,
            seed=seed,
            scale=scale,
            listener=listener,
        )
    except InvalidPackFile as exc:
        fail_with_problems(path, exc, json=json)


def definition_line(result: dict[str, Any], *, tenant: str) -> str:
    """Return the line saying `load FILE` registered the file's pack, or replaced its definition."""
    key = result["datasetKey"]
    if result["definition"] == "replaced":
        return f"registered pack '{key}' (replaced its earlier definition) for tenant '{tenant}'"
    return f"registered pack '{key}' for tenant '{tenant}'"


@pack.command("new")
def new(
    key: Annotated[str, typer.Argument(metavar="KEY", help="the new pack's key, e.g. my-shop")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="the file to write, - for stdout [default: KEY.yaml]"),
    ] = None,
    force: Annotated[bool, typer.Option(help="overwrite the file if it exists")] = False,
) -> None:
    """Write a commented starter pack file that loads as it is, to edit into your own."""
    if not KEY_PATTERN.match(key):
        fail(
            f"'{key}' is not a pack key: 2 to 40 lowercase letters, digits, - and _, "
            "starting with a letter",
            EXIT_USAGE,
        )
    text = starter_file(key)
    if output == Path("-"):
        typer.echo(text, nl=False)
        return
    path = output or Path(f"{key}.yaml")
    if path.exists() and not force:
        fail(f"{path} exists: give another --output, or --force to overwrite it", EXIT_USAGE)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {path}: check it with `seedpacks pack validate {path}`.")


@pack.command()
def infer(
    csv: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.csv",
            exists=True,
            dir_okay=False,
            readable=True,
            help="a customer file: a header line, then one customer per line",
        ),
    ],
    key: Annotated[str, typer.Option(help="the new pack's key, e.g. my-shop")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="the file to write, - for stdout [default: KEY.yaml]"),
    ] = None,
    rows: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="customers at scale 1 [default: the file's rows]"),
    ] = None,
    force: Annotated[bool, typer.Option(help="overwrite the file if it exists")] = False,
) -> None:
    """Write a pack file whose customer table reproduces the CSV's columns, marginals and main
    dependencies (no row of it), with a starter setup around it."""
    path = output or Path(f"{key}.yaml")
    if path != Path("-") and path.exists() and not force:
        fail(f"{path} exists: give another --output, or --force to overwrite it", EXIT_USAGE)
    try:
        text = infer_pack_file(csv.read_bytes(), key=key, rows=rows, source=csv.name)
    except SeedError as exc:
        fail(f"{csv}: {exc.message}", exit_code(exc))
    if path == Path("-"):
        typer.echo(text, nl=False)
        return
    path.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {path}: check it with `seedpacks pack validate {path}`.")


@pack.command()
def validate(file: File, json: Json = False) -> None:
    """Check a pack file: every problem with its line and path (exit 2 when there are any)."""
    try:
        loaded = read_pack_file(file)
    except InvalidPackFile as exc:
        fail_with_problems(file, exc, json=json)
    except SeedError as exc:
        fail(exc.message, exit_code(exc))
    tables = ", ".join(f"{t.name} {t.rows:,}" for t in loaded.tables)
    if json:
        emit_json({"valid": True, "key": loaded.key, "name": loaded.name})
    else:
        typer.echo(f"{file}: valid: {loaded.name} ({loaded.key}); rows at scale 1: {tables}.")


def fail_with_problems(file: Path, error: InvalidPackFile, *, json: bool) -> NoReturn:
    """List a bad file's problems, one a line with its line number (or as JSON), and exit 2."""
    if json:
        emit_json({"valid": False, "problems": [p.as_json() for p in error.problems]})
    else:
        for problem in error.problems:
            typer.echo(f"{file}: {problem}")
    count = len(error.problems)
    fail(f"{file} has {count} problem{'s' if count != 1 else ''}", EXIT_USAGE)


@pack.command()
def register(
    file: File,
    key: Annotated[
        str | None,
        typer.Option(
            metavar="KEY", help="register only if the file's key is KEY [default: its key]"
        ),
    ] = None,
    tenant: Tenant = None,
    api_key: ApiKey = None,
    json: Json = False,
) -> None:
    """Register a pack file as the tenant's own pack (or replace it): listed, loaded, exported
    and simulated like a built-in pack, for that tenant only (PUT /api/v1/seed-dataset/KEY)."""
    with session(json_output=json) as s:
        tenant = s.tenant_for(tenant, api_key, roles=ADMIN, action="register packs")
        try:
            declared = read_pack_file(file)
        except InvalidPackFile as exc:
            fail_with_problems(file, exc, json=json)
        if key is not None and key != declared.key:
            fail(
                f"--key is '{key}' but {file.name} declares key '{declared.key}': make them the "
                "same (or leave --key out).",
                EXIT_USAGE,
            )
        registered, created = custom.register_own_pack(
            s.pool,
            tenant=tenant,
            key=declared.key,
            text=file.read_bytes(),
            media_type=MEDIA_TYPES.get(file.suffix.lower(), "text/plain"),
            settings=s.settings,
        )
    if json:
        emit_json({**custom.list_entry(registered), "loaded": False, "created": created})
        return
    typer.echo(
        f"{'registered' if created else 'replaced'}: {registered.key} ({registered.name}) for "
        f"tenant '{tenant}'; load it with `seedpacks load {registered.key} --tenant {tenant}`."
    )


@pack.command()
def delete(
    key: Annotated[str, typer.Argument(metavar="KEY", help="the key of the tenant's own pack")],
    tenant: Tenant = None,
    api_key: ApiKey = None,
    json: Json = False,
) -> None:
    """Delete the tenant's own pack (not while it is loaded: `seedpacks remove KEY` first)."""
    with session(json_output=json) as s:
        tenant = s.tenant_for(tenant, api_key, roles=ADMIN, action="register packs")
        result = custom.delete_own_pack(s.pool, tenant=tenant, key=key)
    if json:
        emit_json(result)
        return
    typer.echo(f"deleted: {key} from tenant '{tenant}'.")


@pack.command("show")
def show_file(
    file: File,
    scale: Annotated[int, typer.Option(min=1, metavar="N", help="plan the rows at this scale")] = 1,
    json: Json = False,
) -> None:
    """Preview a pack file: planned row counts, interactions and the ground truth."""
    try:
        check_load_arguments(get_settings(), seed=0, scale=scale)
        description = describe(read_pack_file(file), scale)
    except SeedError as exc:
        fail(exc.message, exit_code(exc), body=exc.body() if json else None)
    if json:
        emit_json(description)
        return
    show_.console().print(show_.pack_description(description))
    show_.console().print(truth_table(description["groundTruth"]))


def truth_table(truth: dict[str, Any]) -> Table:
    """Render the ground truth's arms: who responds to what, and how strongly."""
    table = Table(
        title=f"Ground truth: P({truth['positiveOutcome']}) = sigmoid(intercept + weights)",
        title_justify="left",
    )
    for name in ("Offer", "Channel", "Intercept", "Weights"):
        table.add_column(name, justify="right" if name == "Intercept" else "left")
    for arm in truth["arms"]:
        weights = ", ".join(f"{k} {w:+g}" for k, w in arm["weights"].items() if w)
        table.add_row(arm["offer"], arm["channel"], f"{arm['intercept']:g}", weights or "none")
    return table
