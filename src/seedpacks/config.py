"""Settings, read once from the environment (prefix `SEEDPACKS_`)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("seedpacks"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEEDPACKS_")

    database_url: str | None = None
    data_dir: Path = _default_data_dir()
    host: str = "127.0.0.1"
    port: int = 8000
    # Host names served besides loopback ones, comma-separated; `*` serves any (see README).
    allowed_hosts: str = ""
    # Who a caller is (auth/modes.py): trusted identity headers, API keys, or JWT bearer tokens.
    auth: Literal["headers", "api-key", "jwt"] = "headers"
    # `seedpacks serve` listens beyond loopback in headers mode only with this (see README).
    allow_trusted_headers: bool = False
    # How long a server process trusts a key it looked up: a revocation takes this long at most.
    api_key_cache_seconds: float = 5.0
    jwt_public_key_file: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_algorithms: str = "RS256,ES256,EdDSA"
    jwt_tenant_claim: str = "tenant"
    jwt_role_claim: str = "role"
    # Clock difference tolerated between the identity provider and this server (exp, nbf, iat).
    jwt_leeway_seconds: int = 30
    pool_min_size: int = 2
    pool_max_size: int = 20
    # Connections of the decisioning pool (recommend, respond on the event loop; see bridge.py).
    decision_pool_size: int = 10
    # Load and upload calls a tenant may make within the sliding window; 0 turns the limit off.
    rate_limit: int = 5
    rate_window_seconds: int = 60
    upload_max_bytes: int = 50 * 1024 * 1024
    # Uploads at once in this process; each holds a connection and its tenant's lock meanwhile.
    max_uploads: int = 4
    # Every other request body (JSON): 64 KiB is parsed and checked in about 0.2 ms.
    max_body_bytes: int = 64 * 1024
    # All request header names and values together.
    max_header_bytes: int = 16 * 1024
    # A client that sends no byte of its body for this long is cut off (408).
    body_timeout_seconds: float = 30.0
    # Simulations running at once in this process; each holds two pool connections.
    max_simulations: int = 2
    default_seed: int = 42
    max_scale: int = 1000
    # The rows a pack file may plan at the largest scale, all tables and the history together
    # (starbucks, the largest built-in pack, plans 23.5M at scale 1000).
    pack_file_max_rows: int = 25_000_000


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
