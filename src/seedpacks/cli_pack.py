"""`seedpacks pack`: write a starter pack file, check one, preview what it would load.

No database is needed: these read and write files. `seedpacks load FILE` loads one.
"""

import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from seedpacks import cli_output as show_
from seedpacks.cli_support import EXIT_USAGE, emit_json, exit_code, fail
from seedpacks.config import get_settings
from seedpacks.errors import BadRequest, InvalidPackFile, SeedError
from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packfile.infer import infer_pack_file
from seedpacks.packs.describe import describe
from seedpacks.packs.model import Pack
from seedpacks.packs.registry import PACKS
from seedpacks.seeding.operations import check_load_arguments

pack = typer.Typer(help="Pack files: your own pack, declared in YAML (see docs/pack-files.md).")

PACK_FILE_SUFFIXES = (".yaml", ".yml", ".json")
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


def pack_to_load(path: Path) -> Pack:
    """Return a file's pack to load; its key must not be a built-in pack's (load that by key)."""
    loaded = read_pack_file(path)
    if loaded.key in PACKS:
        raise BadRequest(
            f"{path.name} declares key '{loaded.key}', a built-in pack's: give your pack a key "
            f"of its own (or load the built-in one with `seedpacks load {loaded.key}`)."
        )
    return loaded


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
        if json:
            emit_json({"valid": False, "problems": [p.as_json() for p in exc.problems]})
        else:
            for problem in exc.problems:
                typer.echo(f"{file}: {problem}")
        count = len(exc.problems)
        fail(f"{file} has {count} problem{'s' if count != 1 else ''}", EXIT_USAGE)
    except SeedError as exc:
        fail(exc.message, exit_code(exc))
    tables = ", ".join(f"{t.name} {t.rows:,}" for t in loaded.tables)
    if json:
        emit_json({"valid": True, "key": loaded.key, "name": loaded.name})
    else:
        typer.echo(f"{file}: valid: {loaded.name} ({loaded.key}); rows at scale 1: {tables}.")


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
