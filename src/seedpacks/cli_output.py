"""What the CLI shows people: tables, a pack's description, and progress that suits the stream.

On a terminal, progress is a live Rich bar on stderr. Anywhere else (a pipe, a log file, CI) it is
one plain line per step, so logs carry no escape codes or carriage-return redraws.
"""

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text


def console(*, stderr: bool = False) -> Console:
    """Return a console on stdout or stderr; off a terminal, wide enough that tables never wrap."""
    probe = Console(stderr=stderr)
    return Console(stderr=stderr, highlight=False, width=None if probe.is_terminal else 200)


LISTED = (
    ("schemaCount", "Schemas"),
    ("offerCount", "Offers"),
    ("channelCount", "Channels"),
    ("categoryCount", "Categories"),
    ("creativeCount", "Creatives"),
    ("modelCount", "Models"),
)


def packs_table(listing: dict[str, Any]) -> Table:
    table = Table(title="Dataset packs", title_justify="left")
    table.add_column("Key", style="bold")
    table.add_column("Name")
    table.add_column("Source")  # builtin, or custom: the tenant's own
    table.add_column("Data source")  # where the rows come from: synthetic, a public dataset...
    for _, heading in LISTED:
        table.add_column(heading, justify="right")
    table.add_column("Loaded")
    for pack in listing["datasets"]:
        table.add_row(
            pack["key"],
            pack["name"],
            pack["source"],
            pack["dataSource"],
            *(str(pack[key]) for key, _ in LISTED),
            Text("● loaded", style="green") if pack["loaded"] else "",
        )
    return table


def counts_table(counts: dict[str, Any], *, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("What")
    table.add_column("Count", justify="right")
    for key, value in counts.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    return table


def pack_description(pack: dict[str, Any]) -> Group:
    """Render `seedpacks show`: the pack's metadata, planned counts, then each table's columns."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("Key", pack["key"])
    facts.add_row("Description", pack["description"])
    facts.add_row("Testing focus", pack["testingFocus"])
    facts.add_row("Source", pack["source"])
    truth = pack.get("groundTruth")
    if truth:
        features = ", ".join(f["name"] for f in truth["features"])
        facts.add_row(
            "Ground truth",
            f"{len(truth['arms'])} offer x channel arms, logistic in {features}",
        )
    planned = {k: "after load" if v is None else v for k, v in pack["plannedCounts"].items()}
    parts: list[Any] = [
        Text(pack["name"], style="bold underline"),
        facts,
        counts_table(planned, title=f"Planned counts at scale {pack['scale']}"),
    ]
    for table in pack["tables"]:
        columns = Table(
            title=f"{table['name']}: {table['description']} ({table['rows']:,} rows)",
            title_justify="left",
        )
        columns.add_column("Column", style="bold")
        columns.add_column("Type")
        columns.add_column("Key")
        columns.add_column("Description")
        for field in table["columns"]:
            key = "primary" if field["name"] in table["primaryKey"] else ""
            columns.add_row(field["name"], field["type"], key, field.get("description", ""))
        parts.append(columns)
    return Group(*parts)


def status_table(status: dict[str, Any]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Loaded pack", status.get("currentlyLoaded") or "none")
    for label, key in (
        ("Last operation", "operation"),
        ("Pack", "datasetKey"),
        ("Status", "status"),
        ("Step", "step"),
        ("Progress", "progress"),
        ("Error", "error"),
    ):
        value = status.get(key)
        if value not in (None, ""):
            grid.add_row(label, f"{value}%" if key == "progress" else str(value))
    return grid


def _amount(value: dict[str, Any]) -> tuple[str, int, int] | None:
    """Return (unit, done, total) of the current step, when it counts rows or bytes."""
    for unit in ("rows", "bytes", "decisions"):
        total = value.get(f"{unit}Total")
        if total:
            return unit, int(value.get(f"{unit}Done", 0)), int(total)
    return None


def _shown(unit: str, done: int, total: int) -> str:
    if unit == "bytes":
        return f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB"
    return f"{done:,}/{total:,} {unit}"


def simulation_step(done: int, total: int) -> dict[str, Any]:
    """Return a progress value for `done` of `total` simulated decisions."""
    return {
        "step": "Simulating decisions",
        "progress": 100 * done // total,
        "decisionsDone": done,
        "decisionsTotal": total,
    }


class _Lines:
    """Plain progress for pipes and log files: a line per step, and per quarter of a long step."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.last: tuple[str, int] | None = None

    def __call__(self, value: dict[str, Any]) -> None:
        step = value.get("step") or ""
        amount = _amount(value)
        quarter = 4 * amount[1] // amount[2] if amount else 0
        if not step or (self.last and self.last[0] == step and quarter <= self.last[1]):
            return
        self.last = (step, quarter)
        detail = f" ({_shown(*amount)})" if amount and amount[1] else ""
        self.console.print(f"[{int(value.get('progress', 0)):3d}%] {step}{detail}", markup=False)


@contextmanager
def operation_progress() -> Iterator[Any]:
    """Yield a Progress listener: a live bar on a terminal, plain step lines elsewhere."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield _Lines(err)
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[amount]}"),
        TimeElapsedColumn(),
        console=err,
    )
    task = bar.add_task("Starting", total=100, amount="")

    def listen(value: dict[str, Any]) -> None:
        amount = _amount(value)
        bar.update(
            task,
            completed=value.get("progress", 0),
            description=value.get("step") or "",
            amount=_shown(*amount) if amount else "",
        )

    with bar:
        yield listen


def write_chunks(chunks: Iterable[bytes], path: Path) -> int:
    """Write `chunks` to `path` (stdout for "-") and return the bytes written; a file appears
    only whole: it is written beside its name and renamed once complete."""
    if path == Path("-"):
        out = sys.stdout.buffer
        total = 0
        for chunk in chunks:
            out.write(chunk)
            total += len(chunk)
        out.flush()
        return total
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as out:
            total = sum(out.write(chunk) for chunk in chunks)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return total
