"""Pack file benchmark: how long `parse_pack` takes on the starter file and on a file near the
1 MiB limit, against reading the same text with PyYAML's libyaml `CSafeLoader` (no lines, no
checks) in the same run.

    python bench/bench_packfile.py [--rounds 5]

The large file is the starter with 5,600 more offers (about 1 MB): every offer is checked, and
its category looked up. Prints the median of the rounds in milliseconds, and the ratio.
"""

import argparse
import statistics
import time
from collections.abc import Callable

import yaml

from seedpacks.packfile import parse_pack, starter_file
from seedpacks.packfile.limits import MAX_BYTES


def _median_ms(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _large(count: int) -> str:
    offers = "".join(
        f"  - {{id: offer_{i}, name: Offer number {i}, category: products, priority: 40,"
        f" business_value: 10.5, description: The offer number {i} of the benchmark}}\n"
        for i in range(count)
    )
    return starter_file("bench").replace(
        "  - id: accessory_bundle\n", offers + "  - id: accessory_bundle\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    print(f"{'file':<22} {'bytes':>10} {'parse_pack ms':>14} {'yaml ms':>9} {'ratio':>6}")
    for name, text in (("starter", starter_file("bench")), ("5,600 more offers", _large(5600))):
        size = len(text.encode())
        assert size <= MAX_BYTES, size
        ours = _median_ms(lambda text=text: parse_pack(text), args.rounds)
        plain = _median_ms(lambda text=text: yaml.load(text, Loader=loader), args.rounds)  # noqa: S506
        print(f"{name:<22} {size:>10,} {ours:>14.1f} {plain:>9.1f} {ours / plain:>6.1f}")


if __name__ == "__main__":
    main()
