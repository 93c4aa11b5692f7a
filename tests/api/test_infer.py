"""POST /api/v1/seed-dataset/infer: a customer CSV in, its pack file (YAML) out, for admins."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seedpacks.config import Settings
from seedpacks.packfile import parse_pack
from seedpacks.packfile.infer import EXAMPLE_KEY, EXAMPLE_SOURCE, example_file, infer_pack_file
from tests.conftest import as_role

URL = "/api/v1/seed-dataset/infer"
UPLOADS = Path(__file__).parents[1] / "fixtures" / "upload"
TELCO = (UPLOADS / "telco-customer-churn.csv").read_bytes()


def _infer(
    client: httpx.Client, tenant: str, data: bytes, *, role: str = "admin", **fields: str
) -> httpx.Response:
    return client.post(
        URL,
        headers=as_role(tenant, role),
        data={"key": "mine", **fields},
        files={"file": ("customers.csv", data, "text/csv")},
    )


def test_an_admin_gets_a_pack_file_that_parses(client: httpx.Client, tenant: str) -> None:
    answer = _infer(client, tenant, TELCO, key="my-telco", rows="300")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/yaml")
    assert "from customers.csv (6 rows, 21 columns)" in answer.text
    pack = parse_pack(answer.text)
    assert pack.key == "my-telco" and pack.tables[0].rows == 300
    assert pack.tables[0].name == "my_telco_customers"


def test_the_documented_example_is_the_inference_of_the_sample_file(client: httpx.Client) -> None:
    sample = (UPLOADS / EXAMPLE_SOURCE).read_bytes()
    assert example_file() == infer_pack_file(sample, key=EXAMPLE_KEY, source=EXAMPLE_SOURCE)
    document = client.get("/openapi.json").json()
    ok = document["paths"][URL]["post"]["responses"]["200"]["content"]["application/yaml"]
    assert ok["example"] == example_file()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_admins_infer(client: httpx.Client, tenant: str, role: str) -> None:
    assert _infer(client, tenant, TELCO, role=role).status_code == 403


@pytest.mark.parametrize(
    ("data", "fields", "message"),
    [
        (b"", {}, "The file is empty"),
        (b"customer_id\nC1\nC2\n", {}, "single column"),
        (b"id,age\n", {}, "no rows"),
        (b"id,city\n1,K\xf6ln\n", {}, "Line 2 is not valid UTF-8"),
        (b"\xff\xfei\x00d\x00", {}, "UTF-16"),
        (b"id,age\n1,2,3\n", {}, "could not be read as CSV"),
        (b"Age,age\n1,2\n", {}, "both become the table column 'age'"),
        (TELCO, {"key": "Not A Key"}, "is not a pack key"),
        (TELCO, {"rows": "many"}, "send a whole number"),
    ],
)
def test_a_file_that_cannot_be_profiled_is_a_400_saying_why(
    client: httpx.Client, tenant: str, data: bytes, fields: dict[str, str], message: str
) -> None:
    answer = _infer(client, tenant, data, **fields)
    assert answer.status_code == 400, answer.text
    assert answer.json()["status"] == 400 and message in answer.json()["message"]


def test_missing_fields_and_other_bodies_are_400(client: httpx.Client, tenant: str) -> None:
    only_key = client.post(URL, headers=as_role(tenant), data={"key": "mine"})
    assert only_key.status_code == 400 and "'file'" in only_key.json()["message"]
    no_key = client.post(URL, headers=as_role(tenant), files={"file": ("a.csv", TELCO)})
    assert no_key.status_code == 400 and "'key'" in no_key.json()["message"]
    raw = client.post(URL, headers=as_role(tenant), content=TELCO)
    assert raw.status_code == 400 and "multipart/form-data" in raw.json()["message"]


def test_a_declared_length_over_the_upload_limit_is_413(client: httpx.Client, tenant: str) -> None:
    limit = Settings().upload_max_bytes
    declared = limit + 1024 * 1024

    def body() -> Iterator[bytes]:
        for _ in range(declared // 65536):
            yield b"x" * 65536
        yield b"x" * (declared % 65536)

    answer = client.post(
        URL,
        headers={
            **as_role(tenant),
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": str(declared),
        },
        content=body(),
    )
    assert answer.status_code == 413 and answer.json()["maxBytes"] == limit
