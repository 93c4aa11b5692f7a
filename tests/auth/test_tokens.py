"""JWT bearer tokens: a token from the configured provider grants its claims' tenant and role;
expired, wrongly signed, wrongly addressed or incomplete tokens are 401; configuration that
cannot work is refused at start."""

import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from seedpacks.auth import tokens
from seedpacks.auth.identity import Identity, MisconfiguredAuth
from seedpacks.config import Settings
from seedpacks.errors import Unauthorized
from tests.auth.jwt_keys import AUDIENCE, ISSUER, pem, rsa_key, token, write_jwks

PROVIDER, IMPOSTOR, SECOND = rsa_key(), rsa_key(), ec.generate_private_key(ec.SECP256R1())


def _settings(tmp_path: Path, **changes: Any) -> Settings:
    public = tmp_path / "provider.pem"
    public.write_text(pem(PROVIDER))
    fields = {
        "auth": "jwt",
        "jwt_public_key_file": public,
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        **changes,
    }
    return Settings(**fields)


@pytest.fixture
def verifier(tmp_path: Path) -> tokens.TokenVerifier:
    return tokens.from_settings(_settings(tmp_path))


def test_a_good_token_grants_its_tenant_and_role(verifier: tokens.TokenVerifier) -> None:
    assert verifier.identity(token(PROVIDER, role="Viewer")) == Identity("acme", "viewer")


@pytest.mark.parametrize(
    ("made", "words"),
    [
        (lambda: token(PROVIDER, expires_in=-120), "expired"),
        (lambda: token(IMPOSTOR), "signature"),
        (lambda: token(PROVIDER, iss="https://evil.example/"), "issuer"),
        (lambda: token(PROVIDER, aud="another-service"), "audience"),
        (lambda: token(PROVIDER, drop=("exp",)), "'exp' claim"),
        (lambda: token(PROVIDER, drop=("aud",)), "'aud' claim"),
        (lambda: token(PROVIDER, drop=("tenant",)), "'tenant' claim"),
        (lambda: token(PROVIDER, drop=("role",)), "'role' claim"),
        (lambda: token(PROVIDER, role="owner"), "admin, editor or viewer"),
        (lambda: token(PROVIDER, tenant=""), "empty"),
        (lambda: token(PROVIDER, tenant=["acme"]), "'tenant' claim"),
        (lambda: token(b"a shared secret of thirty-two by", algorithm="HS256"), "algorithm"),
        (lambda: "not.a.token", "not a valid JWT"),
    ],
)
def test_refused_tokens_are_401(verifier: tokens.TokenVerifier, made: Any, words: str) -> None:
    with pytest.raises(Unauthorized, match=words):
        verifier.identity(made())


def test_claim_names_are_configurable(tmp_path: Path) -> None:
    verifier = tokens.from_settings(
        _settings(tmp_path, jwt_tenant_claim="org", jwt_role_claim="https://x.example/role")
    )
    granted = token(PROVIDER, org="globex", **{"https://x.example/role": "editor"})
    assert verifier.identity(granted) == Identity("globex", "editor")
    with pytest.raises(Unauthorized, match="'org' claim"):
        verifier.identity(token(PROVIDER))


def test_a_jwks_file_verifies_each_token_with_the_key_it_names(tmp_path: Path) -> None:
    jwks = write_jwks(tmp_path / "jwks.json", {"rsa-1": PROVIDER, "ec-1": SECOND})
    verifier = tokens.from_settings(
        _settings(
            tmp_path,
            jwt_public_key_file=None,
            jwt_jwks_file=jwks,
            jwt_algorithms="RS256,PS256,ES256",
        )
    )
    assert verifier.identity(token(PROVIDER, kid="rsa-1")).tenant == "acme"
    assert verifier.identity(token(SECOND, algorithm="ES256", kid="ec-1")).role == "admin"
    with pytest.raises(Unauthorized, match="signature"):
        verifier.identity(token(IMPOSTOR, kid="rsa-1"))
    with pytest.raises(Unauthorized, match="'rsa-9'"):
        verifier.identity(token(PROVIDER, kid="rsa-9"))
    # Two keys: a token must say which.
    with pytest.raises(Unauthorized, match="no key id"):
        verifier.identity(token(PROVIDER))
    # An accepted algorithm, but not this key's: the key decides how it is verified.
    with pytest.raises(Unauthorized, match="algorithm"):
        verifier.identity(token(PROVIDER, algorithm="PS256", kid="rsa-1"))


def test_a_jwks_with_one_key_takes_tokens_without_a_key_id(tmp_path: Path) -> None:
    jwks = write_jwks(tmp_path / "jwks.json", {"only": PROVIDER})
    verifier = tokens.from_settings(
        _settings(tmp_path, jwt_public_key_file=None, jwt_jwks_file=jwks)
    )
    assert verifier.identity(token(PROVIDER)).tenant == "acme"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"jwt_issuer": None}, "SEEDPACKS_JWT_ISSUER"),
        ({"jwt_audience": ""}, "SEEDPACKS_JWT_AUDIENCE"),
        ({"jwt_public_key_file": None}, "exactly one of"),
        ({"jwt_jwks_file": Path("/nonexistent/jwks.json")}, "exactly one of"),
        ({"jwt_public_key_file": Path("/nonexistent/key.pem")}, "cannot read"),
        ({"jwt_algorithms": "RS256,HS256"}, "not HS256"),
    ],
)
def test_settings_that_cannot_work_are_refused(
    tmp_path: Path, changes: dict[str, Any], words: str
) -> None:
    with pytest.raises(MisconfiguredAuth, match=words):
        tokens.from_settings(_settings(tmp_path, **changes))


def test_a_file_that_is_no_public_key_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.pem"
    wrong.write_text("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    with pytest.raises(MisconfiguredAuth, match="PEM public key"):
        tokens.from_settings(_settings(tmp_path, jwt_public_key_file=wrong))
    broken = tmp_path / "broken.json"
    broken.write_text('{"keys": "none"}')
    with pytest.raises(MisconfiguredAuth, match="JWKS"):
        tokens.from_settings(_settings(tmp_path, jwt_public_key_file=None, jwt_jwks_file=broken))


def test_a_verified_token_is_remembered_until_it_expires(
    verifier: tokens.TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [time.time()]
    verifier._clock = lambda: now[0]
    decoded: list[str] = []
    decode = tokens.jwt.decode

    def counting(value: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(value)
        return decode(value, *args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", counting)
    good = token(PROVIDER, expires_in=600)
    assert verifier.identity(good) == verifier.identity(good) == Identity("acme", "admin")
    assert decoded == [good]
    # Past its exp (and the leeway) the remembered verdict is not used: verified afresh.
    now[0] += 600 + verifier.leeway + 1
    verifier.identity(good)
    assert decoded == [good, good]
    # A refused token is never remembered.
    forged = token(IMPOSTOR)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            verifier.identity(forged)
    assert decoded.count(forged) == 2
