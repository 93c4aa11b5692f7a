"""Ahead: items produced on a thread of their own, bounded, errors raised where they belong."""

import threading
import time
from collections.abc import Iterator

import pytest

from seedpacks.seeding.ahead import Ahead


def test_items_come_in_order_and_production_starts_before_the_first_is_asked_for() -> None:
    started = threading.Event()

    def items() -> Iterator[int]:
        started.set()
        yield from range(5)

    with Ahead(items(), depth=2) as ahead:
        assert started.wait(5)  # at construction, not at the first next()
        assert list(ahead) == [0, 1, 2, 3, 4]
        assert list(ahead) == []


def test_production_runs_at_most_depth_items_ahead() -> None:
    produced: list[int] = []

    def items() -> Iterator[int]:
        for n in range(100):
            produced.append(n)
            yield n

    with Ahead(items(), depth=3) as ahead:
        time.sleep(0.2)
        # 3 waiting in the queue and 1 handed over, blocked until there is room.
        assert len(produced) == 4
        assert next(ahead) == 0
        time.sleep(0.2)
        assert len(produced) == 5


def test_an_error_of_the_producer_is_raised_after_the_items_before_it() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("bad chunk")

    with Ahead(items()) as ahead:
        assert next(ahead) == 1
        with pytest.raises(ValueError, match="bad chunk"):
            next(ahead)
        assert list(ahead) == []


def test_closing_early_stops_the_producer() -> None:
    def items() -> Iterator[int]:
        n = 0
        while True:
            yield n
            n += 1

    ahead = Ahead(items(), depth=2, name="endless")
    assert next(ahead) == 0
    ahead.close()
    assert not any(t.name == "seedpacks-endless" for t in threading.enumerate())
