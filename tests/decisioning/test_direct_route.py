"""Recommend and respond answer through DirectRoute's lean path: it must answer as FastAPI would.

A JSON body takes the lean path; the same request declared `application/problem+json` (which
FastAPI also parses as JSON) takes FastAPI's own, so each case below runs both ways.
"""

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from psycopg_pool import ConnectionPool
from starlette.requests import Request
from starlette.responses import Response

from seedpacks.api import decisioning, direct
from seedpacks.packs.registry import PACKS
from tests.conftest import as_role
from tests.decisioning.helpers import DAY, customers

LEAN, FASTAPI = "application/json", "application/problem+json"


def _post(
    client: httpx.Client, path: str, body: Any, *, kind: str, headers: dict[str, str]
) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, content=content, headers={**headers, "Content-Type": kind})


def _both(
    client: httpx.Client, path: str, body: Any, headers: dict[str, str]
) -> tuple[httpx.Response, httpx.Response]:
    return (
        _post(client, path, body, kind=LEAN, headers=headers),
        _post(client, path, body, kind=FASTAPI, headers=headers),
    )


@pytest.fixture
def starbucks(pool: ConnectionPool, fresh_tenant: Callable[[str], str]) -> tuple[str, str]:
    tenant = fresh_tenant("starbucks")
    return tenant, str(customers(pool, tenant, PACKS["starbucks"])[0]["id"])


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ({"channel": "email"}, "editor", 400),  # customerId missing
        ({"customerId": "{customer}", "channel": "email", "limit": 0}, "editor", 400),
        ({"customerId": "{customer}", "channel": ""}, "editor", 400),
        ({"customerId": "{customer}", "channel": "email", "debug": "perhaps"}, "editor", 400),
        ([1, 2], "editor", 400),
        (b"{not json", "editor", 400),
        (b"", "editor", 400),
        ({"customerId": "{customer}", "channel": "email"}, "viewer", 403),
        ({"customerId": "{customer}", "channel": "email"}, None, 401),
        ({"customerId": "nobody", "channel": "email"}, "editor", 404),
        ({"customerId": "{customer}", "channel": "pigeon"}, "editor", 400),
    ],
)
def test_recommend_errors_read_the_same_on_both_paths(
    client: httpx.Client,
    starbucks: tuple[str, str],
    body: Any,
    headers: str | None,
    status: int,
) -> None:
    tenant, customer = starbucks
    if isinstance(body, dict):
        body = {
            k: v.format(customer=customer) if isinstance(v, str) else v for k, v in body.items()
        }
    identity = as_role(tenant, headers) if headers else {}
    lean, standard = _both(client, "/api/v1/recommend", body, identity)
    assert lean.status_code == standard.status_code == status
    assert lean.json() == standard.json()


def _count_lean_answers(monkeypatch: pytest.MonkeyPatch, endpoint: Any) -> list[bool]:
    """Wrap `endpoint`'s lean handler; return the list it appends to (True: it answered)."""
    lean = direct._HANDLERS[endpoint]
    answered: list[bool] = []

    async def counting(request: Request) -> Response | None:
        try:
            response = await lean(request)
        except Exception:
            answered.append(True)  # an error it raised (rendered by the app's handlers)
            raise
        answered.append(response is not None)
        return response

    monkeypatch.setitem(direct._HANDLERS, endpoint, counting)
    return answered


def test_recommend_and_respond_answer_alike_on_both_paths(
    client: httpx.Client, starbucks: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, customer = starbucks
    recommended = _count_lean_answers(monkeypatch, decisioning.recommend_route)
    responded = _count_lean_answers(monkeypatch, decisioning.respond_route)
    headers = as_role(tenant, "editor")
    answers = [
        _post(
            client,
            "/api/v1/recommend",
            {"customerId": customer, "channel": "web", "limit": 2, "context": {"time": when}},
            kind=kind,
            headers=headers,
        )
        for kind, when in ((LEAN, f"{DAY}T09:00:00Z"), (FASTAPI, f"{DAY}T10:00:00Z"))
    ]
    assert [a.status_code for a in answers] == [200, 200]
    first, second = (a.json() for a in answers)
    assert first.keys() == second.keys()
    assert first["customerId"] == second["customerId"] == customer
    assert 1 <= first["count"] <= 2 and 1 <= second["count"] <= 2
    # The JSON request took the lean path; the other one was handed on to FastAPI's.
    assert recommended == [True, False]

    # respond: the body's key on the lean path, the header's on FastAPI's; a replay answers the
    # same whichever path it takes.
    rec = first["recommendationId"]
    base = {"customerId": customer, "recommendationId": rec, "rank": 1, "outcome": "completed"}
    lean = _post(
        client, "/api/v1/respond", {**base, "idempotencyKey": "k-1"}, kind=LEAN, headers=headers
    )
    standard = _post(
        client,
        "/api/v1/respond",
        base,
        kind=FASTAPI,
        headers={**headers, "Idempotency-Key": "k-1"},
    )
    assert lean.status_code == standard.status_code == 200
    assert lean.json() == standard.json()
    missing_key = _both(client, "/api/v1/respond", base, headers)
    assert [r.status_code for r in missing_key] == [400, 400]
    assert missing_key[0].json() == missing_key[1].json()
    assert "idempotencyKey" in missing_key[0].json()["message"]
    assert responded == [True, False, True, False]
