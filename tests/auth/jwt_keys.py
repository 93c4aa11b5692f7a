"""Signing keys for the JWT tests: an identity provider's, and an impostor's."""

import json
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://idp.example/"
AUDIENCE = "seedpacks"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def write_jwks(path: Path, keys: dict[str, Any]) -> Path:
    """Write the public halves of `keys` (kid: private key) as a JWKS document."""
    entries = []
    for kid, key in keys.items():
        algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else None
        algorithm = algorithm or jwt.algorithms.ECAlgorithm
        entry = json.loads(algorithm.to_jwk(key.public_key()))
        entries.append({**entry, "kid": kid, "use": "sig"})
    path.write_text(json.dumps({"keys": entries}))
    return path


def token(
    key: Any,
    *,
    algorithm: str = "RS256",
    kid: str | None = None,
    expires_in: float = 300,
    drop: tuple[str, ...] = (),
    **claims: Any,
) -> str:
    """Return a signed token for tenant 'acme' as admin, changed by `claims` and `drop`."""
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "someone",
        "iat": now,
        "exp": now + int(expires_in),
        "tenant": "acme",
        "role": "admin",
        **claims,
    }
    for name in drop:
        body.pop(name)
    headers = {"kid": kid} if kid else None
    return jwt.encode(body, key, algorithm=algorithm, headers=headers)
