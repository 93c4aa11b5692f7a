"""Run the service's synchronous database code on the event loop, with no thread in between.

Recommend and respond are plain synchronous psycopg code, shared with the command line and the
simulation. FastAPI runs such code in its thread pool, and there the GIL hand-offs between the
event loop and the worker threads cost as much CPU as the decision itself: 2.0-2.6 ms of server
CPU per recommend in threads against 1.4 ms run on the loop (bench/bench_recommend.py).

`run(fn, ...)` calls `fn` in a greenlet on the running loop. Wherever psycopg would block on its
socket (`Connection.wait`), a `LoopConnection` first polls it without waiting (most steps find it
ready); only a real wait switches back to the loop, which awaits the socket's readiness and
switches back in with it: the code reads as before, and the loop serves other requests while a
query runs. SQLAlchemy's asyncio extension is built the same way (`greenlet_spawn` /
`await_only`).

`LoopPool` hands out such connections without ever blocking the loop: a connection is opened in
a worker thread, and a caller finding the pool full awaits the next connection returned.
"""

import asyncio
import select
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import greenlet
import psycopg
from psycopg import pq, waiting
from psycopg.abc import PQGen

from seedpacks.errors import SeedError

T = TypeVar("T")


class _Bridged(greenlet.greenlet):  # type: ignore[misc]
    """A greenlet running synchronous code for `run`; `driver` awaits on its behalf."""

    def __init__(self, fn: Callable[..., Any], driver: greenlet.greenlet) -> None:
        super().__init__(fn, driver)
        self.driver = driver


async def run(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Return `fn(*args, **kwargs)`, run on this loop; its awaits (`await_`) go to the loop."""
    child = _Bridged(fn, greenlet.getcurrent())
    result = child.switch(*args, **kwargs)
    while not child.dead:
        try:
            value = await result
        except BaseException:  # noqa: B036 - re-raised inside the greenlet, where it belongs
            result = child.throw(*sys.exc_info())
        else:
            result = child.switch(value)
    return result  # type: ignore[no-any-return]


def await_(awaitable: Awaitable[T]) -> T:
    """Await `awaitable` on the loop from synchronous code running under `run`."""
    current = greenlet.getcurrent()
    if not isinstance(current, _Bridged):
        raise RuntimeError("await_() needs to run under bridge.run()")
    return current.driver.switch(awaitable)  # type: ignore[no-any-return]


class LoopConnection(psycopg.Connection[Any]):
    """A psycopg connection whose waits go through the event loop when run under `run`.

    Elsewhere (a thread, the command line) it is an ordinary blocking connection.
    """

    def wait(self, gen: PQGen[T], interval: float = 0.1, timeout: float | None = None) -> T:
        current = greenlet.getcurrent()
        if not isinstance(current, _Bridged):
            return super().wait(gen, interval, timeout)
        # Most steps of a query find the socket ready (writing nearly always is): a zero-timeout
        # poll answers them here, and only a real wait for the server goes through the loop.
        fileno = self.pgconn.socket
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            state = next(gen)
            while True:
                ready = _ready_now(fileno, state)
                if not ready:
                    left = None if deadline is None else deadline - time.monotonic()
                    ready = current.driver.switch(_readiness(fileno, state, left))
                    if not ready:
                        raise psycopg.errors.OperationalError(
                            f"no answer from the database within {timeout} s"
                        )
                state = gen.send(ready)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def _ready_now(fileno: int, state: int) -> int:
    """Return what the socket is ready for of `state` (WAIT_R/W bits), without waiting."""
    readers, writers, _ = select.select(
        (fileno,) if state & waiting.WAIT_R else (),
        (fileno,) if state & waiting.WAIT_W else (),
        (),
        0,
    )
    return (waiting.READY_R if readers else 0) | (waiting.READY_W if writers else 0)


async def _readiness(fileno: int, state: int, timeout: float | None) -> int:
    """Await the socket's readiness for `state` on the loop; 0 if `timeout` passes first."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[int] = loop.create_future()

    def wake(ready: int) -> None:
        if not future.done():
            future.set_result(ready)

    if state & waiting.WAIT_R:
        loop.add_reader(fileno, wake, waiting.READY_R)
    if state & waiting.WAIT_W:
        loop.add_writer(fileno, wake, waiting.READY_W)
    try:
        if timeout is None:
            return await future
        try:
            return await asyncio.wait_for(future, max(timeout, 0))
        except TimeoutError:
            return 0
    finally:
        if state & waiting.WAIT_R:
            loop.remove_reader(fileno)
        if state & waiting.WAIT_W:
            loop.remove_writer(fileno)


class PoolTimeout(SeedError):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"No database connection came free within {seconds:g} s: the service is overloaded "
            "or the database is unreachable. Try again shortly.",
            status=503,
        )


def _alive(conn: LoopConnection) -> bool:
    """Return whether an idle connection can still serve a call.

    An idle connection has nothing to read unless the server wrote to it: after a restart or a
    terminated backend, its goodbye and end of stream wait on the socket, and libpq only sees
    them when it reads. One poll (no wait) finds them before a call would fail on them.
    """
    if conn.closed:
        return False
    pgconn = conn.pgconn
    try:
        # The goodbye comes first, the end of stream on a later read: read until quiet.
        for _ in range(4):
            if not select.select([pgconn.socket], [], [], 0)[0]:
                break
            pgconn.consume_input()
        else:
            return False
    except (OSError, psycopg.OperationalError):
        return False
    return pgconn.status == pq.ConnStatus.OK


class LoopPool:
    """Up to `size` autocommit `LoopConnection`s to `url`, for code running under `run`."""

    def __init__(self, url: str, *, size: int, timeout: float = 30.0) -> None:
        self.url, self.size, self.timeout = url, size, timeout
        self._idle: list[LoopConnection] = []
        self._waiting: deque[asyncio.Future[LoopConnection]] = deque()
        self._open = 0
        self._closed = False
        self._opening: set[asyncio.Task[None]] = set()

    @contextmanager
    def connection(self) -> Iterator[LoopConnection]:
        """Lend a connection for the block; it comes back clean or is closed."""
        conn = await_(self._acquire())
        try:
            yield conn
        finally:
            self._release(conn)

    async def _acquire(self) -> LoopConnection:
        if self._closed:
            raise RuntimeError("the connection pool is closed")
        while self._idle:
            conn = self._idle.pop()
            if _alive(conn):
                return conn
            self._discard(conn)
        if self._open < self.size:
            return await self._connect()
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await asyncio.wait_for(waiter, self.timeout)
        except TimeoutError:
            # A connection handed over just as the time ran out goes back, not astray.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())
            raise PoolTimeout(self.timeout) from None

    def _release(self, conn: LoopConnection) -> None:
        clean = (
            not self._closed
            and not conn.closed
            and conn.info.transaction_status == pq.TransactionStatus.IDLE
        )
        if not clean:
            # Broken, or left mid-transaction by an exception thrown in (a cancelled request):
            # close it rather than guess its state; the next caller opens a fresh one.
            self._discard(conn)
            conn = None  # type: ignore[assignment]
        while self._waiting:
            waiter = self._waiting.popleft()
            if waiter.done():
                continue
            if conn is None:
                # Its slot is free: let the waiter open a connection of its own.
                task = waiter.get_loop().create_task(self._hand_new(waiter))
                self._opening.add(task)  # the loop keeps only a weak reference to a task
                task.add_done_callback(self._opening.discard)
            else:
                waiter.set_result(conn)
            return
        if conn is not None:
            self._idle.append(conn)

    async def _connect(self) -> LoopConnection:
        """Open a connection in a worker thread (connecting would block the loop), in a slot."""
        self._open += 1
        try:
            return await asyncio.to_thread(LoopConnection.connect, self.url, autocommit=True)
        except BaseException:
            self._open -= 1
            raise

    async def _hand_new(self, waiter: "asyncio.Future[LoopConnection]") -> None:
        try:
            conn = await self._connect()
        except BaseException as exc:
            if not waiter.done():
                waiter.set_exception(exc)
            return
        if waiter.done():
            self._release(conn)
        else:
            waiter.set_result(conn)

    def _discard(self, conn: LoopConnection) -> None:
        self._open -= 1
        conn.close()

    def close(self) -> None:
        """Close the idle connections; those lent out close when they come back."""
        self._closed = True
        while self._idle:
            self._discard(self._idle.pop())
