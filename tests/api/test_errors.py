"""The API's generic error answers."""

import httpx

from tests.conftest import as_role


def test_a_405_allows_every_method_of_the_path(client: httpx.Client, tenant: str) -> None:
    answer = client.options("/api/v1/seed-dataset/starbucks", headers=as_role(tenant))
    assert answer.status_code == 405
    allowed = {m.strip() for m in answer.headers["allow"].split(",")}
    assert allowed == {"GET", "POST", "PUT", "DELETE"}


def test_bad_input_is_named_as_the_caller_sent_it_never_as_internals(
    client: httpx.Client, tenant: str
) -> None:
    admin, editor = as_role(tenant), as_role(tenant, "editor")
    force = client.post("/api/v1/seed-dataset/starbucks?force=maybe", headers=admin).json()
    assert force["message"] == (
        "Invalid request: query parameter 'force' must be true or false; got 'maybe'."
    )
    cases = {
        # A body that is not JSON at all: where it broke, not "body field '1'".
        (b"{bad", "application/json"): "The body is not valid JSON: expecting property name"
        " enclosed in double quotes at character 1.",
        # No Content-Type: the body was never read as JSON.
        (b'{"customerId": "c", "channel": "email"}', None): "The body must be a JSON object,"
        " sent with Content-Type: application/json.",
        (b"[1]", "application/json"): "The body must be a JSON object, not an array.",
        (b"{}", "application/json"): "body field 'customerId' is required.",
    }
    for (body, kind), sentence in cases.items():
        headers = {**editor, **({"Content-Type": kind} if kind else {})}
        answer = client.post("/api/v1/recommend", headers=headers, content=body)
        assert answer.status_code == 400, answer.text
        message = answer.json()["message"]
        assert sentence in message, (body, message)
        assert "dictionary" not in message and "^" not in message, message


def test_an_unknown_query_parameter_is_400_naming_it(client: httpx.Client, tenant: str) -> None:
    admin, editor = as_role(tenant), as_role(tenant, "editor")
    misspelt = client.post("/api/v1/seed-dataset/starbucks?forse=true", headers=admin)
    assert misspelt.status_code == 400, misspelt.text
    assert misspelt.json() == {
        "status": 400,
        "message": "Unknown query parameter 'forse': this endpoint takes 'force', 'scale', 'seed'.",
        "unknownParameters": ["forse"],
    }
    # Nothing was loaded by the misspelt call.
    assert client.get("/api/v1/seed-dataset", headers=admin).json()["currentlyLoaded"] is None
    for method, path in [
        ("GET", "/api/v1/offers?limit=5&page=2"),
        ("GET", "/api/v1/seed-dataset/starbucks/status?verbose=1"),
        ("POST", "/api/v1/recommend?debug=true"),
    ]:
        answer = client.request(method, path, headers=editor, json={"customerId": "c"})
        assert answer.status_code == 400, (path, answer.text)
        assert "Unknown query parameter" in answer.json()["message"], path
    assert client.get("/api/v1/offers?limit=5&offset=0", headers=editor).status_code == 200
