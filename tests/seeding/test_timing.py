"""The statement timings a bench reads: each key, index, ANALYZE and fingerprint once."""

from collections import Counter

from psycopg_pool import ConnectionPool

from seedpacks.packs.registry import PACKS
from seedpacks.seeding import partitions, timing
from seedpacks.seeding.load import analysed_tables
from tests.seeding.test_determinism import load, rolled_back


def expected_labels(key: str) -> list[str]:
    """Return the labels of the statements a load of pack `key` times, one each."""
    pack = PACKS[key]
    labels = []
    for table in pack.tables:
        labels.append(timing.columns_label(table.name, "PRIMARY KEY", table.primary_key))
        labels += [timing.columns_label(table.name, "INDEX", c) for c in table.indexes]
        if table.name in analysed_tables(pack):
            labels.append(f"{table.name}: ANALYZE")
    for parent in partitions.PARENTS:
        labels.append(timing.columns_label(parent.name, "PRIMARY KEY", parent.key))
        labels += [timing.columns_label(parent.name, "INDEX", c) for _, c in parent.indexes]
    labels += [f"{table.name}: manifest" for table in pack.tables]
    return [*labels, "interactions: manifest"]


def test_a_recording_gets_each_statement_of_a_load_once_and_only_while_open(
    pool: ConnectionPool, database_url: str, tenant: str
) -> None:
    pack = PACKS["starbucks"]
    with rolled_back(database_url) as conn:
        with timing.recording() as outer:
            with timing.recording() as inner:
                result = load(conn, f"{tenant}-a", pack)
            load(conn, f"{tenant}-b", pack)  # `inner` is closed: only `outer` hears of it
        load(conn, f"{tenant}-c", pack)  # nothing records: nothing is timed

    expected = expected_labels("starbucks")
    assert [label for label, _ in inner] == expected
    assert Counter(label for label, _ in outer) == Counter(expected * 2)
    assert all(seconds >= 0 for _, seconds in outer)
    # Timed statements return their results as before.
    assert (
        result.manifest["starbucks_events"]["rows"]
        == result.counts[pack.table("starbucks_events").count_key]
    )
