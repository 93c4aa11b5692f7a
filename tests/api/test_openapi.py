"""The OpenAPI document: every error documented, and the live app conforms to it under fuzzing."""

import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import positive_data_acceptance

from seedpacks.packs.registry import PACKS
from tests.conftest import as_role

FUZZ_TENANT = f"fuzz-{uuid.uuid4().hex[:12]}"
# The one API route that needs no identity: how to authenticate.
PUBLIC = "/api/v1/auth"
LOAD, STATUS = "/api/v1/seed-dataset/starbucks", "/api/v1/seed-dataset/starbucks/status"
RECOMMEND, SIMULATE = "/api/v1/recommend", "/api/v1/simulate"
PROFILE = Path(__file__).parent.parent / "fixtures" / "upload" / "profile.csv"

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
    # Only admins and editors decide, only admins simulate: the role check's 403 is documented.
    for path in ("/recommend", "/respond", "/simulate", "/simulate/{simulationId}"):
        for operation in api[f"/api/v1{path}"].values():
            assert "403" in operation["responses"], path


def test_every_route_documents_a_typed_success_body_with_a_real_example(
    client: httpx.Client,
) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            ok = [c for c in operation["responses"] if c.startswith("2")]
            # One success, but for a PUT that creates (201) or replaces (200).
            assert len(ok) == 1 or (method == "put" and ok == ["200", "201"]), (method, path)
            for code in ok:
                documented = operation["responses"][code]["content"]
                if "application/json" not in documented:  # a download: its media types, typed
                    assert documented and all(c.get("schema") for c in documented.values()), path
                    continue
                content = documented["application/json"]
                ref = content["schema"].get("$ref", "")
                assert ref.startswith("#/components/schemas/"), (method, path, content["schema"])
                model = schemas[ref.rsplit("/", 1)[1]]
                assert model["type"] == "object" and model["properties"], (method, path)
    for path, method in [
        ("/api/v1/seed-dataset", "get"),
        ("/api/v1/seed-dataset/{key}", "post"),
        ("/api/v1/seed-dataset/{key}", "get"),
        ("/api/v1/seed-dataset/{key}", "delete"),
        ("/api/v1/seed-dataset/{key}", "put"),
        ("/api/v1/seed-dataset/{key}/definition", "delete"),
        ("/api/v1/seed-dataset/{key}/status", "get"),
        ("/api/v1/seed-dataset/{key}/upload", "post"),
        ("/api/v1/recommend", "post"),
        ("/api/v1/respond", "post"),
        ("/api/v1/simulate", "post"),
        ("/api/v1/simulate/{simulationId}", "get"),
        ("/api/v1/pack-schema", "get"),
        ("/healthz", "get"),
    ]:
        responses = document["paths"][path][method]["responses"]
        ok = next(c for c in responses if c.startswith("2"))
        assert responses[ok]["content"]["application/json"]["example"], (method, path)
    body = document["paths"]["/api/v1/recommend"]["post"]["requestBody"]
    recommend = schemas[body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert recommend["examples"][0]["channel"] == "email"


def test_the_documented_examples_match_their_schemas(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    seen = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                if "example" not in content:
                    continue
                schema = {**content["schema"], "components": document["components"]}
                errors = list(jsonschema_rs.validator_for(schema).iter_errors(content["example"]))
                assert not errors, (method, path, code, [str(e) for e in errors[:3]])
                seen += 1
    assert seen >= 12, seen  # the success examples; errors have none


def test_parameters_say_what_they_take(client: httpx.Client) -> None:
    load = client.get("/openapi.json").json()["paths"]["/api/v1/seed-dataset/{key}"]["post"]
    parameters = {p["name"].lower(): p for p in load["parameters"]}
    assert parameters["x-tenant-id"]["required"] and parameters["x-user-role"]["required"]
    assert "settings" not in parameters["scale"]["description"]
    assert parameters["scale"]["description"].endswith("1 to 1000")
    assert parameters["scale"]["schema"]["maximum"] == 1000
    assert "starbucks, uci-bank, banking, telco, retail" in parameters["key"]["description"]


def test_interactive_docs_are_served(client: httpx.Client) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_real_answers_of_every_kind_match_their_documented_schemas(
    server: str, client: httpx.Client, tenant: str
) -> None:
    """The success bodies of one real session, each validated against the document."""
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    admin, editor = as_role(tenant), as_role(tenant, "editor")
    customers = "/api/v1/schemas/starbucks_customers/data?limit=1"

    def check(method: str, path: str, answer: httpx.Response) -> dict[str, Any]:
        assert answer.status_code < 300, (path, answer.text)
        answer.request.read()  # a multipart request streams; schemathesis reads it whole
        schema[path][method].validate_response(answer)
        body: dict[str, Any] = answer.json()
        return body

    check("GET", "/api/v1/seed-dataset/{key}/status", client.get(STATUS, headers=admin))
    check("POST", "/api/v1/seed-dataset/{key}", client.post(LOAD, headers=admin))
    status = check("GET", "/api/v1/seed-dataset/{key}/status", client.get(STATUS, headers=admin))
    # ISO 8601 with its time zone, like every other time the API answers.
    assert datetime.fromisoformat(status["startedAt"]).utcoffset() is not None
    assert datetime.fromisoformat(status["finishedAt"]) >= datetime.fromisoformat(
        status["startedAt"]
    )
    check("GET", "/api/v1/seed-dataset", client.get("/api/v1/seed-dataset", headers=admin))
    check("GET", "/api/v1/seed-dataset/{key}", client.get(LOAD, headers=editor))
    customer = client.get(customers, headers=admin).json()["items"][0]["id"]
    asked = {"customerId": customer, "channel": "email", "limit": 3, "debug": True}
    decided = check("POST", "/api/v1/recommend", client.post(RECOMMEND, headers=editor, json=asked))
    answer = {"customerId": customer, "rank": 1, "outcome": "completed", "idempotencyKey": "k"}
    answer["recommendationId"] = decided["recommendationId"]
    check("POST", "/api/v1/respond", client.post("/api/v1/respond", headers=editor, json=answer))
    started = check(
        "POST", "/api/v1/simulate", client.post(SIMULATE, headers=admin, json={"decisions": 20})
    )
    job = f"{SIMULATE}/{started['simulationId']}"
    while client.get(job, headers=admin).json()["status"] == "running":
        time.sleep(0.1)
    check("GET", "/api/v1/simulate/{simulationId}", client.get(job, headers=admin))
    uploaded = client.post(
        f"{LOAD}/upload",
        headers=admin,
        data={"schema": "starbucks_customers"},
        files={"file": ("profile.csv", PROFILE.read_bytes(), "text/csv")},
    )
    check("POST", "/api/v1/seed-dataset/{key}/upload", uploaded)
    check("DELETE", "/api/v1/seed-dataset/{key}", client.delete(LOAD, headers=admin))
    check("GET", "/api/v1/pack-schema", client.get("/api/v1/pack-schema", headers=editor))
    check("GET", "/healthz", client.get("/healthz"))


def test_every_read_of_a_loaded_pack_answers_its_documented_body(
    server: str, client: httpx.Client, tenant: str
) -> None:
    """Each GET route of the document, with real names, answers a body its schema accepts."""
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    admin = as_role(tenant)
    assert client.post(LOAD, headers=admin).status_code == 201
    started = client.post(SIMULATE, headers=admin, json={"decisions": 40}).json()
    job = started["simulationId"]
    while client.get(f"{SIMULATE}/{job}", headers=admin).json()["status"] == "running":
        time.sleep(0.1)
    tables = [t.name for t in PACKS["starbucks"].tables]
    customer = client.get("/api/v1/schemas/starbucks_customers/data?limit=1", headers=admin).json()[
        "items"
    ][0]["id"]
    values: dict[str, list[str]] = {
        "key": ["starbucks"],
        "name": tables,
        "simulationId": [job],
    }
    queries = {"/api/v1/interaction-summaries": {"customerId": customer}}
    checked = []
    for path, operations in schema.raw_schema["paths"].items():
        if "get" not in operations:
            continue
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "path"]
        assert all(n in values for n in names), f"no real value for {path}'s {names}"
        for value in values[names[0]] if names else [""]:
            url = path.replace("{" + names[0] + "}", value) if names else path
            answer = client.get(url, headers=admin, params=queries.get(path))
            assert answer.status_code == 200, (url, answer.text)
            if answer.headers["content-type"].startswith("application/json"):
                assert answer.json(), url
            schema[path]["GET"].validate_response(answer)
            checked.append(url)
    assert f"{SIMULATE}/{job}" in checked and len(checked) > 25, checked
    assert client.delete(LOAD, headers=admin).status_code == 200


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
