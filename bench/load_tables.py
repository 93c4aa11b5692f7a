"""bench_load.py's tables of where a scale-N load's time goes, with a saved run's beside them.

    python bench/bench_load.py --statements --save before.json     # on main
    python bench/bench_load.py --statements --before before.json   # on the change

`--save` writes the run's figures (ratios, seconds per step and per statement of the median
scale-N load) as JSON; `--before` prints a saved run's next to this run's, per row.
"""

import json
from pathlib import Path
from typing import Any


def save(path: Path, figures: dict[str, Any]) -> None:
    path.write_text(json.dumps(figures, indent=2) + "\n")


def read(path: Path | None) -> dict[str, Any]:
    return json.loads(path.read_text()) if path else {}


def statement_seconds(found: list[tuple[str, float]]) -> dict[str, float]:
    """Return the seconds per statement label of one load, in the order they ran."""
    seconds: dict[str, float] = {}
    for label, spent in found:
        seconds[label] = seconds.get(label, 0.0) + spent
    return seconds


def print_seconds(title: str, now: dict[str, float], before: dict[str, float] | None) -> None:
    """Print `now` (label: seconds) under `title`, with `before`'s seconds beside when given."""
    print(f"\n  {title}:")
    if before is not None:
        print(f"    {'before':>8}  {'now':>8}")
    for label in [*now, *(label for label in before or {} if label not in now)]:
        seconds = f"{now[label]:7.2f} s" if label in now else f"{'-':>9}"
        if before is None:
            print(f"    {seconds}  {label}")
        else:
            then = f"{before[label]:7.2f} s" if label in before else f"{'-':>9}"
            print(f"    {then}  {seconds}  {label}")
    if now:
        total = f"{sum(now.values()):7.2f} s"
        then = f"{sum(before.values()):7.2f} s  " if before else ""
        print(f"    {then}{total}  in all")
