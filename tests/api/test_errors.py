"""The API's generic error answers."""

import httpx

from tests.conftest import as_role


def test_a_405_allows_every_method_of_the_path(client: httpx.Client, tenant: str) -> None:
    answer = client.options("/api/v1/seed-dataset/starbucks", headers=as_role(tenant))
    assert answer.status_code == 405
    assert {m.strip() for m in answer.headers["allow"].split(",")} == {"GET", "POST", "DELETE"}
