"""`GET /api/v1/pack-schema`: the JSON Schema of a pack file, which the starter file follows."""

import httpx
import jsonschema_rs

from seedpacks.packfile import starter_file
from seedpacks.packfile.problems import Problems
from seedpacks.packfile.source import read_document
from tests.conftest import as_role

ROUTE = "/api/v1/pack-schema"


def _document(text: str) -> object:
    data, _ = read_document(text, Problems())
    return data


def test_every_role_reads_the_schema_and_an_anonymous_caller_does_not(
    client: httpx.Client, tenant: str
) -> None:
    for role in ("admin", "editor", "viewer"):
        answer = client.get(ROUTE, headers=as_role(tenant, role))
        assert answer.status_code == 200, role
    assert client.get(ROUTE).status_code == 401
    schema = answer.json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format"]["const"] == "seedpacks/v1"
    assert {"key", "tables", "ground_truth"} <= set(schema["required"])


def test_the_starter_file_follows_the_schema_and_a_mistake_does_not(
    client: httpx.Client, tenant: str
) -> None:
    validator = jsonschema_rs.validator_for(client.get(ROUTE, headers=as_role(tenant)).json())
    starter = starter_file("demo")
    assert validator.is_valid(_document(starter))
    for old, new in (
        ("    priority: 70\n", "    priority: 70\n    colour: red\n"),
        ("rows: 500", "rows: lots"),
        ("generate: {row_number: {}}", "generate: {row_number: {}, hex_id: {}}"),
        ("sigma: 0.5", "sigma: {bi: tier}"),
        ("model_type: priority_weighted", "model_type: random"),
    ):
        assert not validator.is_valid(_document(starter.replace(old, new))), new


def test_the_schema_is_documented_with_its_own_example(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    ok = document["paths"][ROUTE]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/PackSchema"}
    assert ok["example"]["title"] == "seedpacks pack file"
