"""Work ahead of the consumer: produce an iterator's items on a thread of their own.

numpy, polars and the database driver release the GIL for their bulk work, so a load's next
chunk is generated (or rendered) while the server ingests this one, and a small load's rows
are generated while the server creates its tables. The queue is bounded, and so is memory.
"""

import queue
import threading
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()


class Ahead(Iterator[T], Generic[T]):
    """Iterates `items`, produced on a thread started at once, at most `depth` items ahead.

    An exception of the producer is raised to the consumer where the item would have come.
    `close` (or leaving the `with` block) stops the producer and waits for it.
    """

    def __init__(self, items: Iterable[T], *, depth: int = 2, name: str = "ahead") -> None:
        self._ready: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=self._produce, args=(items,), name=f"seedpacks-{name}", daemon=True
        )
        self._thread.start()

    def _hand_over(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, items: Iterable[T]) -> None:
        try:
            for item in items:
                if not self._hand_over(item):
                    return
            self._hand_over(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._hand_over(exc)

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        item = self._ready.get()
        if item is _DONE:
            self._finished = True
            raise StopIteration
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        return item  # type: ignore[return-value]  # anything but the sentinels is a T

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> "Ahead[T]":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
