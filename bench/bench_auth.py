"""Authentication benchmark: the cost of establishing a caller's identity in each SEEDPACKS_AUTH
mode, per request, in-process, one run.

    python bench/bench_auth.py [--calls 20000] [--rounds 5]

Uses SEEDPACKS_DATABASE_URL, or an embedded PostgreSQL in a temporary folder. Builds the real
app's authenticator for each mode and calls it on a real Starlette request, on one event loop:
headers mode (the header parsing and Host check), an API key found in the process's cache, an
API key looked up in PostgreSQL on every call (cache off: the cost of a cache miss, a round trip
through the decisions' pool), and JWTs signed RS256 (2048-bit) and ES256, reused (remembered
after the first call) and new on every call (a signature check each). Prints, as the median of
the rounds, microseconds per call, and the rows the API-key calls wrote (last use is
recorded at most once a minute per key, so thousands of calls should write one row).
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.requests import Request

from seedpacks import bridge, db
from seedpacks.api.app import create_app
from seedpacks.auth import keys
from seedpacks.config import Settings

ISSUER, AUDIENCE = "https://idp.example/", "seedpacks"


def _request(app: Any, headers: dict[str, str]) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/auth/me",
        "headers": [(b"host", b"127.0.0.1:8000"), *raw],
        "app": app,
    }
    return Request(scope)


def _pem(key: Any) -> str:
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode()


def _token(key: Any, algorithm: str, number: int = 0) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 3600, "tenant": "t", "role": "admin"}
    return jwt.encode({**claims, "jti": str(number)}, key, algorithm=algorithm)


async def _time(requests: list[Request], identify: Callable[..., Any]) -> float:
    started = time.perf_counter()
    for request in requests:
        await identify(request)
    return (time.perf_counter() - started) / len(requests) * 1e6


def _updates(url: str) -> int:
    """Return the rows updated in api_keys so far (backends report them when they close)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'api_keys'"
        ).fetchone()
    return int(row[0]) if row else 0


def _backdate_last_use(url: str, key: str) -> None:
    # Last used two minutes ago: the first call of the rounds is due to record its use.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE key_hash = %s",
            (keys.digest(key),),
        )
    time.sleep(0.5)  # the backend reports its update as it exits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-auth-"))
    base = Settings(data_dir=folder / "data")
    url = db.database_url(base)
    with psycopg.connect(url, autocommit=True) as conn:
        db.migrate(conn)
        print("server:", conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        key = keys.create_key(conn, tenant=f"bench-{uuid.uuid4().hex[:8]}", role="admin")["key"]
    signers = {
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ES256": ec.generate_private_key(ec.SECP256R1()),
    }

    async def measure() -> None:
        # Each case: its settings, and the headers of its calls (cycled through).
        cases: dict[str, tuple[Settings, list[dict[str, str]]]] = {
            "headers": (base, [{"X-Tenant-Id": "t", "X-User-Role": "admin"}]),
            "api-key, cached": (
                base.model_copy(update={"auth": "api-key"}),
                [{"X-API-Key": key}],
            ),
            "api-key, looked up every call": (
                base.model_copy(update={"auth": "api-key", "api_key_cache_seconds": 0}),
                [{"X-API-Key": key}],
            ),
        }
        fresh = max(args.calls // 20, 100)
        for algorithm, signer in signers.items():
            pem = folder / f"{algorithm}.pem"
            pem.write_text(_pem(signer))
            jwt_settings = base.model_copy(
                update={
                    "auth": "jwt",
                    "jwt_public_key_file": pem,
                    "jwt_issuer": ISSUER,
                    "jwt_audience": AUDIENCE,
                }
            )
            cases[f"jwt {algorithm}, token reused"] = (
                jwt_settings,
                [{"Authorization": f"Bearer {_token(signer, algorithm)}"}],
            )
            cases[f"jwt {algorithm}, new token every call"] = (
                jwt_settings,
                [
                    {"Authorization": f"Bearer {_token(signer, algorithm, n + 1)}"}
                    for n in range(fresh * args.rounds)
                ],
            )
        print(f"{'mode':32} {'us per call':>12}  rows written by the calls")
        for name, (settings, headers) in cases.items():
            app = create_app(settings)
            app.state.loop_pool = bridge.LoopPool(url, size=2)
            identify = app.state.authenticator.identify
            await identify(_request(app, headers[0]))  # warm: an API key is looked up once
            calls = fresh if "every call" in name else args.calls
            rounds = []
            for r in range(args.rounds):
                chosen = [headers[(r * calls + n) % len(headers)] for n in range(calls)]
                rounds.append([_request(app, h) for h in chosen])
            _backdate_last_use(url, key)
            before = _updates(url)
            timings = [await _time(requests, identify) for requests in rounds]
            # Closing the connections makes their backends report what they updated.
            app.state.loop_pool.close()
            await asyncio.sleep(1.0)
            written = _updates(url) - before - 1  # less the backdating itself
            note = f"{written} in {calls * args.rounds:,} calls" if "api-key" in name else ""
            print(f"{name:32} {statistics.median(timings):12.1f}  {note}")

    asyncio.run(measure())
    db.release_embedded()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
