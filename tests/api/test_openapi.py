"""The OpenAPI document: every error documented, and the live app conforms to it under fuzzing."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.conftest import as_role

FUZZ_TENANT = f"fuzz-{uuid.uuid4().hex[:12]}"
# The one API route that needs no identity: how to authenticate.
PUBLIC = "/api/v1/auth"

# The server runs in this process, and psycopg_pool draws its connection-lifetime jitter from the
# global `random` module whenever the pool grows; Hypothesis sees that state change while it draws
# a case and warns as if the strategy had used `random`. Nothing of ours does.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies"
    ":hypothesis.errors.HypothesisDeprecationWarning"
)


def test_every_api_route_documents_its_errors_as_error_bodies(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    ref = "#/components/schemas/ErrorBody"
    assert document["components"]["schemas"]["ErrorBody"]["required"] == ["status", "message"]
    api = {p: ops for p, ops in document["paths"].items() if p.startswith("/api/v1/")}
    assert "/api/v1/offers" in api and "/api/v1/schemas/{name}/data" in api
    for path, operations in api.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)
            if path == PUBLIC:
                assert "security" not in operation
                continue
            assert {"400", "401"} <= set(responses), (method, path)
            assert operation["security"] == [{"TenantHeader": [], "RoleHeader": []}]
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": ref}, (method, path, code)
    load = api["/api/v1/seed-dataset/{key}"]["post"]["responses"]
    assert {"403", "404", "409", "429"} <= set(load)
    assert "Retry-After" in load["429"]["headers"]


def test_interactive_docs_are_served(client: httpx.Client) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


@pytest.fixture(scope="module")
def api_schema(server: str) -> Iterator[schemathesis.BaseSchema]:
    with httpx.Client(base_url=server, timeout=120) as client:
        loaded = client.post("/api/v1/seed-dataset/starbucks", headers=as_role(FUZZ_TENANT))
        assert loaded.status_code == 201
        yield schemathesis.openapi.from_url(f"{server}/openapi.json")
        client.delete("/api/v1/seed-dataset/starbucks", headers=as_role(FUZZ_TENANT))


FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    # No shrinking: a failure is reported as found, so a slow endpoint cannot stretch the run.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _fuzz_operation(operation: Any, identity: dict[str, str] | None) -> None:
    # A body can be well-formed and still name something that is not there (an unknown channel,
    # a table outside the pack): its 400 is documented, not a schema gap. Parameters must be
    # exact, so there a schema-valid request answered with 400 is a failure.
    excluded = [positive_data_acceptance] if "requestBody" in operation.definition.raw else []

    @FUZZ
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        if identity:
            case.headers = {**(case.headers or {}), **identity}
        case.call_and_validate(excluded_checks=excluded)

    check()


def _fuzz(api_schema: schemathesis.BaseSchema, identity: dict[str, str] | None) -> None:
    # schemathesis' own pytest plugin does not run under this pytest; drive Hypothesis directly.
    for result in api_schema.get_all_operations():
        _fuzz_operation(result.ok(), identity)


def test_fuzzed_identity_gets_documented_answers(api_schema: schemathesis.BaseSchema) -> None:
    _fuzz(api_schema, None)


def test_fuzzed_requests_of_a_loaded_admin_get_documented_answers(
    api_schema: schemathesis.BaseSchema,
) -> None:
    _fuzz(api_schema, as_role(FUZZ_TENANT))
