"""API keys: a random secret shown once at creation, stored as its SHA-256, checked per call.

A key is `sp_<id>_<secret>`: the id (12 hex digits) names the key in `apikey list` and
`apikey revoke`; the secret is 32 random bytes. Only SHA-256 of the whole key is stored. A slow
password hash (bcrypt, scrypt) protects guessable passwords; a 256-bit random secret cannot be
guessed from its SHA-256, and a fast hash costs a microsecond per call instead of milliseconds
of the event loop.

The caller owns the connection (autocommit is enough: every function is one statement).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from seedpacks.auth.identity import ROLES, Identity, tenant_problem
from seedpacks.errors import BadRequest, NotFound, Unauthorized

PREFIX = "sp_"
_SHAPE = re.compile(r"sp_([0-9a-f]{12})_[A-Za-z0-9_-]{43}")
MAX_EXPIRY_DAYS = 3650
# Last use is written at most this often per key: a call costs no write, the record stays
# accurate to about a minute.
TOUCH_EVERY = timedelta(seconds=60)
_COLUMNS = sql.SQL("tenant_id, id, name, role, created_at, expires_at, revoked_at, last_used_at")
UNKNOWN = (
    "The API key is not valid: send a key made by `seedpacks apikey create` as X-API-Key "
    "or as Authorization: Bearer."
)


@dataclass(frozen=True)
class KeyRecord:
    tenant: str
    id: str
    role: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def digest(key: str) -> bytes:
    """Return the stored form of `key`: its SHA-256."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


def well_formed(key: str) -> bool:
    """Return whether `key` has the shape of a key (anything else is refused unlooked-up)."""
    return _SHAPE.fullmatch(key) is not None


def create_key(
    conn: psycopg.Connection[Any],
    *,
    tenant: str,
    role: str,
    name: str = "",
    expires_days: int | None = None,
) -> dict[str, Any]:
    """Create a key for `role` in `tenant`; the answer holds the key, which is never stored."""
    problem = tenant_problem(tenant)
    if problem:
        raise BadRequest(f"Cannot create the key: {problem}.")
    if role not in ROLES:
        raise BadRequest(f"Role '{role}' is not one of admin, editor or viewer.")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise BadRequest(f"--expires takes a number of days from 1 to {MAX_EXPIRY_DAYS}.")
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    row = conn.execute(
        sql.SQL(
            "INSERT INTO api_keys (tenant_id, id, name, role, key_hash, expires_at)"
            " VALUES (%s, %s, %s, %s, %s, now() + make_interval(days => %s)) RETURNING {}"
        ).format(_COLUMNS),
        (tenant, key_id, name, role, digest(key), expires_days),
    ).fetchone()
    assert row is not None
    return {"key": key, **_described(row)}


def list_keys(conn: psycopg.Connection[Any], *, tenant: str | None = None) -> list[dict[str, Any]]:
    """Return the keys (never their hashes) of `tenant`, or of every tenant, oldest first."""
    rows = conn.execute(
        sql.SQL(
            "SELECT {} FROM api_keys WHERE %(tenant)s::text IS NULL OR tenant_id = %(tenant)s"
            " ORDER BY created_at, tenant_id, id"
        ).format(_COLUMNS),
        {"tenant": tenant},
    ).fetchall()
    return [_described(row) for row in rows]


def revoke_key(conn: psycopg.Connection[Any], *, tenant: str, key_id: str) -> dict[str, Any]:
    """Revoke key `key_id` of `tenant` (again: no change); 404 when there is no such key."""
    row = conn.execute(
        sql.SQL(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
            " WHERE tenant_id = %s AND id = %s RETURNING {}"
        ).format(_COLUMNS),
        (tenant, key_id),
    ).fetchone()
    if row is None:
        raise NotFound(
            f"Tenant '{tenant}' has no API key '{key_id}': `seedpacks apikey list` lists them."
        )
    return _described(row)


def find_key(conn: psycopg.Connection[Any], *, key_digest: bytes) -> KeyRecord | None:
    """Return the key stored as `key_digest`, recording its use when the last is a minute old."""
    row = conn.execute(
        "SELECT tenant_id, id, role, expires_at, revoked_at, last_used_at"
        " FROM api_keys WHERE key_hash = %s",
        (key_digest,),
    ).fetchone()
    if row is None:
        return None
    record = KeyRecord(*row)
    now = datetime.now(UTC)
    if _usable(record, now) and (
        record.last_used_at is None or record.last_used_at < now - TOUCH_EVERY
    ):
        conn.execute(
            "UPDATE api_keys SET last_used_at = now() WHERE tenant_id = %s AND id = %s",
            (record.tenant, record.id),
        )
    return record


def identity_of(record: KeyRecord | None, *, now: datetime) -> Identity:
    """Return the identity `record` grants at `now`; 401 when it is unknown, revoked or expired."""
    if record is None:
        raise Unauthorized(UNKNOWN)
    if record.revoked_at is not None:
        raise Unauthorized(
            f"The API key {record.id} was revoked on {record.revoked_at:%Y-%m-%d %H:%M} UTC: "
            "ask for a new key."
        )
    if record.expires_at is not None and record.expires_at <= now:
        raise Unauthorized(
            f"The API key {record.id} expired on {record.expires_at:%Y-%m-%d %H:%M} UTC: "
            "ask for a new key."
        )
    return Identity(tenant=record.tenant, role=record.role)


def verify_key(conn: psycopg.Connection[Any], *, key: str) -> Identity:
    """Return the identity `key` grants (recording its use); 401 when it grants none."""
    if not well_formed(key):
        raise Unauthorized(UNKNOWN)
    return identity_of(find_key(conn, key_digest=digest(key)), now=datetime.now(UTC))


def _usable(record: KeyRecord, now: datetime) -> bool:
    return record.revoked_at is None and (record.expires_at is None or record.expires_at > now)


def _described(row: tuple[Any, ...]) -> dict[str, Any]:
    tenant, key_id, name, role, created, expires, revoked, used = row
    now = datetime.now(UTC)
    state = "revoked" if revoked else "expired" if expires and expires <= now else "active"
    return {
        "id": key_id,
        "tenant": tenant,
        "role": role,
        "name": name,
        "state": state,
        "createdAt": created.isoformat(),
        "expiresAt": expires.isoformat() if expires else None,
        "revokedAt": revoked.isoformat() if revoked else None,
        "lastUsedAt": used.isoformat() if used else None,
    }
