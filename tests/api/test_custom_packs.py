"""A tenant's own packs over HTTP: PUT registers, DELETE .../definition deletes, rest as usual."""

import json

import httpx
import pytest
import yaml
from psycopg import sql
from psycopg_pool import ConnectionPool

from seedpacks.api.answers import EXAMPLES
from seedpacks.packfile import starter_file
from seedpacks.packfile.limits import MAX_BYTES
from seedpacks.seeding.tenancy import tenant_schema
from tests.conftest import as_role

BASE = "/api/v1/seed-dataset"
YAML = "application/yaml"


def _put(
    client: httpx.Client,
    tenant: str,
    key: str,
    text: str | bytes,
    *,
    media: str = YAML,
    role: str = "admin",
) -> httpx.Response:
    headers = {**as_role(tenant, role), "Content-Type": media}
    return client.put(f"{BASE}/{key}", headers=headers, content=text)


def _json(document: object) -> str:
    return json.dumps(document, default=str)  # the file's dates as ISO text


def _listed(client: httpx.Client, tenant: str) -> dict[str, dict[str, object]]:
    answer = client.get(BASE, headers=as_role(tenant))
    assert answer.status_code == 200, answer.text
    return {entry["key"]: entry for entry in answer.json()["datasets"]}


def _stored(pool: ConnectionPool, tenant: str) -> list[tuple[str, str, str]]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT key, format, sha256 FROM tenant_packs WHERE tenant_id = %s ORDER BY key",
            (tenant,),
        ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def test_put_yaml_registers_a_pack_listed_as_custom_for_that_tenant_only(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    answer = _put(client, tenant, "homecover", starter_file("homecover"))
    assert answer.status_code == 201, answer.text
    assert answer.json() == EXAMPLES["registered"]
    listed = _listed(client, tenant)
    assert listed["homecover"]["source"] == "custom" and listed["homecover"]["loaded"] is False
    assert listed["starbucks"]["source"] == "builtin"
    assert [row[:2] for row in _stored(pool, tenant)] == [("homecover", "yaml")]
    assert "homecover" not in _listed(client, tenant + "-other")


def test_put_json_registers_and_put_again_replaces_with_200(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    document = yaml.safe_load(starter_file("mine"))
    answer = _put(client, tenant, "mine", _json(document), media="application/json")
    assert answer.status_code == 201, answer.text
    first = _stored(pool, tenant)
    document["name"] = "Mine, renamed"
    again = _put(client, tenant, "mine", _json(document), media="application/json")
    assert again.status_code == 200, again.text
    assert again.json()["name"] == "Mine, renamed"
    assert _listed(client, tenant)["mine"]["name"] == "Mine, renamed"
    second = _stored(pool, tenant)
    assert first[0][:2] == second[0][:2] == ("mine", "json") and first[0][2] != second[0][2]
    plain = _put(client, tenant, "mine", starter_file("mine"), media="text/plain")
    assert plain.status_code == 200 and _stored(pool, tenant)[0][1] == "yaml"


def test_a_custom_pack_loads_describes_uploads_and_removes_like_a_builtin(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    assert _put(client, tenant, "homecover", starter_file("homecover")).status_code == 201
    described = client.get(f"{BASE}/homecover", headers=as_role(tenant))
    assert described.status_code == 200, described.text
    loaded = client.post(f"{BASE}/homecover", headers=as_role(tenant))
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["datasetKey"] == "homecover"
    assert loaded.json()["counts"]["homecover_members_rows"] == 500
    status = client.get(f"{BASE}/homecover/status", headers=as_role(tenant)).json()
    assert status["status"] == "completed" and status["operation"] == "load"
    listed = client.get(BASE, headers=as_role(tenant)).json()
    assert listed["currentlyLoaded"] == "homecover"

    with pool.connection() as conn, conn.cursor() as cur:
        table = sql.Identifier(tenant_schema(tenant), "homecover_members")
        query = sql.SQL("COPY (SELECT * FROM {} ORDER BY 1 LIMIT 20) TO STDOUT WITH CSV HEADER")
        with cur.copy(query.format(table)) as copy:
            csv = b"".join(bytes(block) for block in copy)
    uploaded = client.post(
        f"{BASE}/homecover/upload",
        headers=as_role(tenant),
        data={"schema": "homecover_members"},
        files={"file": ("members.csv", csv, "text/csv")},
    )
    assert uploaded.status_code == 200, uploaded.text

    removed = client.delete(f"{BASE}/homecover", headers=as_role(tenant))
    assert removed.status_code == 200, removed.text
    assert client.get(BASE, headers=as_role(tenant)).json()["currentlyLoaded"] is None


def test_another_tenant_cannot_see_use_or_delete_it_and_may_register_its_own(
    client: httpx.Client, tenant: str
) -> None:
    other = tenant + "-b"
    assert _put(client, tenant, "homecover", starter_file("homecover")).status_code == 201
    them = as_role(other)
    assert client.get(f"{BASE}/homecover", headers=them).status_code == 404
    assert client.post(f"{BASE}/homecover", headers=them).status_code == 404
    upload = client.post(
        f"{BASE}/homecover/upload",
        headers=them,
        data={"schema": "homecover_members"},
        files={"file": ("members.csv", b"member_id\n1\n", "text/csv")},
    )
    assert upload.status_code == 404
    assert client.delete(f"{BASE}/homecover/definition", headers=them).status_code == 404
    theirs = yaml.safe_load(starter_file("homecover"))
    theirs["name"] = "Theirs"
    assert _put(client, other, "homecover", yaml.safe_dump(theirs)).status_code == 201
    assert _listed(client, other)["homecover"]["name"] == "Theirs"
    assert _listed(client, tenant)["homecover"]["name"] == "homecover starter pack"


def test_put_and_delete_while_loaded_are_409_and_change_nothing(
    client: httpx.Client, tenant: str, pool: ConnectionPool
) -> None:
    assert _put(client, tenant, "homecover", starter_file("homecover")).status_code == 201
    assert client.post(f"{BASE}/homecover", headers=as_role(tenant)).status_code == 201
    before = _stored(pool, tenant)
    changed = starter_file("homecover").replace("starter pack", "changed pack")
    replaced = _put(client, tenant, "homecover", changed)
    assert replaced.status_code == 409 and "remove it" in replaced.json()["message"]
    deleted = client.delete(f"{BASE}/homecover/definition", headers=as_role(tenant))
    assert deleted.status_code == 409
    assert _stored(pool, tenant) == before
    assert client.get(BASE, headers=as_role(tenant)).json()["currentlyLoaded"] == "homecover"


def test_delete_then_the_list_no_longer_shows_it(client: httpx.Client, tenant: str) -> None:
    assert _put(client, tenant, "homecover", starter_file("homecover")).status_code == 201
    deleted = client.delete(f"{BASE}/homecover/definition", headers=as_role(tenant))
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == EXAMPLES["deleted"]
    assert "homecover" not in _listed(client, tenant)
    again = client.delete(f"{BASE}/homecover/definition", headers=as_role(tenant))
    assert again.status_code == 404


def test_builtin_keys_are_neither_overwritten_nor_deleted(
    client: httpx.Client, tenant: str
) -> None:
    answer = _put(client, tenant, "starbucks", starter_file("starbucks"))
    assert answer.status_code == 409 and "built-in" in answer.json()["message"]
    deleted = client.delete(f"{BASE}/starbucks/definition", headers=as_role(tenant))
    assert deleted.status_code == 409 and "built-in" in deleted.json()["message"]
    assert _listed(client, tenant)["starbucks"]["source"] == "builtin"


@pytest.mark.parametrize("key", ["infer", "definition", "status", "upload"])
def test_keys_of_routes_are_reserved(client: httpx.Client, tenant: str, key: str) -> None:
    answer = _put(client, tenant, key, starter_file(key))
    assert answer.status_code == 400 and "reserved" in answer.json()["message"]


def test_the_key_in_the_path_must_be_the_files(client: httpx.Client, tenant: str) -> None:
    answer = _put(client, tenant, "mine", starter_file("yours"))
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert "'mine'" in message and "'yours'" in message


def test_a_bad_file_lists_every_problem_with_its_line(client: httpx.Client, tenant: str) -> None:
    text = (
        starter_file("bad")
        .replace("source: synthetic", "source: synthetic\nsurprise: 1")
        .replace("format: seedpacks/v1", "format: seedpacks/v9")
    )
    answer = _put(client, tenant, "bad", text)
    assert answer.status_code == 400, answer.text
    problems = answer.json()["problems"]
    assert len(problems) >= 2
    assert all(isinstance(p["line"], int) and p["message"] for p in problems)
    lines = text.splitlines()
    assert any("surprise" in lines[p["line"] - 1] for p in problems)


@pytest.mark.parametrize(
    ("body", "media"),
    [
        (b"", YAML),
        (b"format: seedpacks/v1\nkey: x\nname: K\xf6ln\n", YAML),
        (b"{not json", "application/json"),
        (b"- just\n- a list\n", YAML),
    ],
)
def test_nasty_bodies_are_400(client: httpx.Client, tenant: str, body: bytes, media: str) -> None:
    answer = _put(client, tenant, "x", body, media=media)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"]


def test_a_yaml_bomb_is_refused(client: httpx.Client, tenant: str) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    answer = _put(client, tenant, "x", bomb)
    assert answer.status_code == 400, answer.text


def test_a_huge_scale_is_refused(client: httpx.Client, tenant: str) -> None:
    text = starter_file("big").replace("rows: 500", "rows: 500000000")
    assert text != starter_file("big")
    answer = _put(client, tenant, "big", text)
    assert answer.status_code == 400, answer.text
    assert answer.json()["problems"]


def test_too_large_is_413_and_other_media_415(client: httpx.Client, tenant: str) -> None:
    big = starter_file("big") + "#" * MAX_BYTES
    assert _put(client, tenant, "big", big).status_code == 413
    assert _put(client, tenant, "big", starter_file("big"), media="text/csv").status_code == 415


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_admins_register_and_delete(client: httpx.Client, tenant: str, role: str) -> None:
    assert _put(client, tenant, "mine", starter_file("mine"), role=role).status_code == 403
    headers = as_role(tenant, role)
    assert client.delete(f"{BASE}/mine/definition", headers=headers).status_code == 403
