"""The progress row's writer: steps go through a thread of their own, newest first, and the
outcome is stored last."""

import threading
import time
import uuid
from typing import Any

from psycopg_pool import ConnectionPool

from seedpacks.seeding import progress as progress_module
from seedpacks.seeding.progress import Progress, _Writer, read_progress


def test_the_writer_skips_values_overtaken_while_it_wrote_and_close_waits_for_it() -> None:
    written: list[int] = []
    first_started = threading.Event()

    def write(value: dict[str, Any]) -> None:
        first_started.set()
        time.sleep(0.1)
        written.append(value["n"])

    writer = _Writer(write, every=0.0)
    writer.post({"n": 1})
    assert first_started.wait(5)
    for n in (2, 3, 4):  # while 1 is being written: only the newest is still worth writing
        writer.post({"n": n})
    time.sleep(0.3)
    writer.post({"n": 5})
    writer.close()  # waits for 5's write if it started; drops it if not
    assert written[:2] == [1, 4]
    assert written in ([1, 4], [1, 4, 5])
    writer.post({"n": 6})  # closed: nothing more is written
    time.sleep(0.05)
    assert 6 not in written


def test_a_failing_write_is_logged_and_the_next_value_still_goes(caplog: Any) -> None:
    written: list[int] = []

    def write(value: dict[str, Any]) -> None:
        if value["n"] == 1:
            raise RuntimeError("database gone")
        written.append(value["n"])

    writer = _Writer(write, every=0.0)
    writer.post({"n": 1, "datasetKey": "starbucks"})
    deadline = time.monotonic() + 5
    while "could not write progress" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.01)
    writer.post({"n": 2})
    while not written and time.monotonic() < deadline:
        time.sleep(0.01)
    writer.close()
    assert written == [2]
    assert "could not write progress for starbucks" in caplog.text


def test_steps_are_written_in_the_background_and_the_outcome_last(
    pool: ConnectionPool, monkeypatch: Any
) -> None:
    tenant = f"progress-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(progress_module, "WRITE_EVERY", 0.05)
    steps = [("one", 1.0), ("two", 1.0), ("three", 1.0)]
    progress = Progress(pool, tenant=tenant, dataset_key="starbucks", operation="load", steps=steps)
    progress.start()
    with pool.connection() as conn:
        assert read_progress(conn, tenant=tenant)["step"] == "one"  # stored before start returns
    progress.step("two")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with pool.connection() as conn:
            if read_progress(conn, tenant=tenant)["step"] == "two":
                break
        time.sleep(0.01)
    else:
        raise AssertionError("the step was never written")
    for name in ("three", "two", "three"):
        progress.step(name)
    progress.completed(counts={"offers": 10})
    with pool.connection() as conn:
        stored = read_progress(conn, tenant=tenant)
        conn.execute("DELETE FROM platform_settings WHERE tenant_id = %s", (tenant,))
    assert stored["status"] == "completed" and stored["progress"] == 100
    assert stored["counts"] == {"offers": 10}
