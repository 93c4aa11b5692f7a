"""Files PostgreSQL would choke on (too wide, a huge key or field) are 400s with a sentence."""

import os

import pytest
from psycopg_pool import ConnectionPool

from seedpacks.config import Settings
from seedpacks.errors import BadRequest
from seedpacks.seeding import operations
from tests.seeding.test_upload import as_dicts, load, roomy, rows, upload

__all__ = ["roomy"]  # the fixture, imported for this module's tests

HEADER = b"gender,age,id,became_member_on,income"


def _refused(pool: ConnectionPool, settings: Settings, tenant: str, data: bytes) -> str:
    with pytest.raises(BadRequest) as caught:
        upload(pool, settings, tenant, "starbucks_customers", data)
    assert caught.value.status == 400
    return caught.value.message


def test_a_header_wider_than_the_table_could_map_is_400_naming_the_limit(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    extra = b",".join(b"x%d" % i for i in range(1700))
    message = _refused(pool, roomy, tenant, HEADER + b"," + extra + b"\nF,55,a,20170715,1\n")
    assert "1705 columns" in message and "at most" in message
    assert len(rows(pool, tenant, "starbucks_customers")) == 1000


def test_a_key_too_long_to_index_is_400_naming_the_line(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    key = os.urandom(1500).hex().encode()
    message = _refused(
        pool, roomy, tenant, HEADER + b"\nF,55,a,20170715,1\nM,50," + key + b",20170715,2\n"
    )
    assert "Line 3" in message and "'id'" in message
    assert len(rows(pool, tenant, "starbucks_customers")) == 1000


def test_a_failed_upload_status_shows_no_raw_exception(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    key = os.urandom(1500).hex().encode()
    _refused(pool, roomy, tenant, HEADER + b"\nM,50," + key + b",20170715,2\n")
    status = operations.dataset_status(pool, tenant=tenant)
    assert status["status"] == "failed"
    assert "index row" not in str(status) and "btree" not in str(status)


def test_events_of_a_person_who_is_no_customer_are_400_and_old_rows_stay(
    pool: ConnectionPool, roomy: Settings, tenant: str
) -> None:
    load(pool, roomy, tenant)
    before = rows(pool, tenant, "starbucks_events")
    known = as_dicts(pool, tenant, "starbucks_customers")[0]["id"]
    data = (
        b"person,event,value,time\n"
        + known.encode()
        + b",offer viewed,{'offer id': 'x'},1\n"
        + b"nobody,offer viewed,{'offer id': 'x'},2\n"
    )
    with pytest.raises(BadRequest) as caught:
        upload(pool, roomy, tenant, "starbucks_events", data)
    assert "Line 3" in caught.value.message and "'person'" in caught.value.message
    assert "nobody" in caught.value.message
    assert rows(pool, tenant, "starbucks_events") == before
