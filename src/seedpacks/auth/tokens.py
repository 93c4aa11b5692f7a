"""JWT bearer tokens (SEEDPACKS_AUTH=jwt): verified with PyJWT against a configured public key
or JWKS file, issuer and audience; the tenant and role come from configurable claims.

Only asymmetric algorithms are accepted: the server holds no secret that could sign a token,
and a public key can never be taken for an HMAC secret. Tokens must carry `exp`, `iss` and
`aud`. Verifying is pure CPU, done on the event loop: 0.1 ms for RS256 and 0.15 ms for ES256
(bench/bench_auth.py), a tenth of a recommend. A token verified once is remembered (by its
SHA-256, at most `MAX_REMEMBERED`) until its `exp`: a client reusing its token, as they do, pays
the signature check once; expiry is still checked at every call.
"""

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt

from seedpacks.auth.identity import ROLES, Identity, MisconfiguredAuth, tenant_problem
from seedpacks.config import Settings
from seedpacks.errors import Unauthorized

MAX_REMEMBERED = 10_000
ASYMMETRIC = (
    *("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    *("ES256", "ES384", "ES512", "EdDSA"),
)


class TokenVerifier:
    """Verifies bearer tokens against one public key or the keys of a JWKS file."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        algorithms: list[str],
        public_key: str | None = None,
        jwks: jwt.PyJWKSet | None = None,
        tenant_claim: str = "tenant",
        role_claim: str = "role",
        leeway_seconds: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer, self.audience, self.algorithms = issuer, audience, algorithms
        self.public_key, self.jwks = public_key, jwks
        self.tenant_claim, self.role_claim, self.leeway = tenant_claim, role_claim, leeway_seconds
        self._clock = clock
        # SHA-256 of a verified token: (its identity, its exp).
        self._verified: dict[bytes, tuple[Identity, float]] = {}

    def identity(self, token: str) -> Identity:
        """Return the identity `token` grants; 401 when it is invalid, expired or lacks claims."""
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        remembered = self._verified.get(digest)
        if remembered is not None:
            if self._clock() < remembered[1] + self.leeway:
                return remembered[0]
            del self._verified[digest]
        who, expires = self._verify(token)
        while len(self._verified) >= MAX_REMEMBERED:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[digest] = (who, expires)
        return who

    def _verify(self, token: str) -> tuple[Identity, float]:
        key, algorithms = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(self._reason(exc)) from None
        return self._claimed(claims), float(claims["exp"])

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        if self.jwks is None:
            return self.public_key, self.algorithms
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(self._reason(exc)) from None
        found: jwt.PyJWK | None
        if kid is None:
            # A token without a key id can only mean the one key there is.
            found = self.jwks.keys[0] if len(self.jwks.keys) == 1 else None
        else:
            found = next((k for k in self.jwks.keys if k.key_id == kid), None)
        if found is None:
            named = f"key id {kid!r}" if kid is not None else "no key id (kid)"
            raise Unauthorized(
                f"The bearer token names {named}, which is not among the configured JWKS keys."
            )
        # PyJWT verifies with the JWK's own algorithm, and only if the token names the same one.
        return found, self.algorithms

    def _reason(self, exc: jwt.InvalidTokenError) -> str:
        if isinstance(exc, jwt.ExpiredSignatureError):
            return "The bearer token has expired: get a new one from the identity provider."
        if isinstance(exc, jwt.InvalidSignatureError):
            return (
                "The bearer token's signature does not verify with the configured key: it was "
                "not signed by the trusted identity provider."
            )
        if isinstance(exc, jwt.InvalidIssuerError):
            return f"The bearer token's issuer is not {self.issuer!r}."
        if isinstance(exc, jwt.InvalidAudienceError):
            return f"The bearer token is not meant for this service (audience {self.audience!r})."
        if isinstance(exc, jwt.MissingRequiredClaimError):
            return f"The bearer token has no '{exc.claim}' claim."
        if isinstance(exc, jwt.InvalidAlgorithmError):
            return (
                f"The bearer token's signing algorithm is refused ({exc}); this server accepts "
                f"{', '.join(self.algorithms)}, each key only with its own."
            )
        return f"The bearer token is not a valid JWT: {exc}."

    def _claimed(self, claims: dict[str, Any]) -> Identity:
        tenant, role = claims.get(self.tenant_claim), claims.get(self.role_claim)
        if not isinstance(tenant, str):
            raise Unauthorized(f"The bearer token has no '{self.tenant_claim}' claim (a string).")
        problem = tenant_problem(tenant)
        if problem:
            raise Unauthorized(
                f"The bearer token's '{self.tenant_claim}' claim is refused: {problem}."
            )
        if not isinstance(role, str) or role.lower() not in ROLES:
            raise Unauthorized(
                f"The bearer token's '{self.role_claim}' claim is {role!r}: it must be one of "
                "admin, editor or viewer."
            )
        return Identity(tenant=tenant, role=role.lower())


def from_settings(settings: Settings) -> TokenVerifier:
    """Return the verifier the settings describe; MisconfiguredAuth naming what is missing."""
    missing = [
        name
        for name, value in (
            ("SEEDPACKS_JWT_ISSUER", settings.jwt_issuer),
            ("SEEDPACKS_JWT_AUDIENCE", settings.jwt_audience),
        )
        if not value
    ]
    if missing:
        raise MisconfiguredAuth(f"SEEDPACKS_AUTH=jwt needs {' and '.join(missing)}.")
    if (settings.jwt_public_key_file is None) == (settings.jwt_jwks_file is None):
        raise MisconfiguredAuth(
            "SEEDPACKS_AUTH=jwt needs exactly one of SEEDPACKS_JWT_PUBLIC_KEY_FILE (a PEM public "
            "key) and SEEDPACKS_JWT_JWKS_FILE (a JWKS document)."
        )
    algorithms = [a.strip() for a in settings.jwt_algorithms.split(",") if a.strip()]
    refused = [a for a in algorithms if a not in ASYMMETRIC]
    if refused or not algorithms:
        raise MisconfiguredAuth(
            "SEEDPACKS_JWT_ALGORITHMS may name only asymmetric algorithms "
            f"({', '.join(ASYMMETRIC)})" + (f"; not {', '.join(refused)}." if refused else ".")
        )
    public_key, jwks = None, None
    if settings.jwt_public_key_file is not None:
        public_key = _read(settings.jwt_public_key_file, "SEEDPACKS_JWT_PUBLIC_KEY_FILE")
        _check_pem(public_key)
    else:
        assert settings.jwt_jwks_file is not None
        text = _read(settings.jwt_jwks_file, "SEEDPACKS_JWT_JWKS_FILE")
        try:
            jwks = jwt.PyJWKSet.from_json(text)
        except (jwt.PyJWKError, jwt.PyJWKSetError, ValueError) as exc:
            raise MisconfiguredAuth(
                f"SEEDPACKS_JWT_JWKS_FILE is not a usable JWKS: {exc}"
            ) from None
    return TokenVerifier(
        issuer=settings.jwt_issuer or "",
        audience=settings.jwt_audience or "",
        algorithms=algorithms,
        public_key=public_key,
        jwks=jwks,
        tenant_claim=settings.jwt_tenant_claim,
        role_claim=settings.jwt_role_claim,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def _read(path: Path, setting: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MisconfiguredAuth(f"{setting}: cannot read {path}: {exc}") from None


def _check_pem(pem: str) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        load_pem_public_key(pem.encode())
    except ValueError:
        raise MisconfiguredAuth(
            "SEEDPACKS_JWT_PUBLIC_KEY_FILE does not hold a PEM public key "
            "(-----BEGIN PUBLIC KEY-----)."
        ) from None
