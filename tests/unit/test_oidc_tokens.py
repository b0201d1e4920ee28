"""Access-token checks and the provider's key cache, with the provider's documents served from memory.

The HTTP fetch is the one seam replaced here (the outside world); the end-to-end tests use a real
provider. These cover what a real provider cannot easily be made to do: rotate keys, go down, lie.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from trajectflow.domain.errors import Unauthenticated
from trajectflow.services.oidc_config import OidcProvider
from trajectflow.services.oidc_tokens import AccessTokenVerifier, ProviderDocuments, ProviderUnavailable

ISSUER = "https://idp.test/realms/staff"
METADATA_URL = ISSUER + "/.well-known/openid-configuration"
JWKS_URL = ISSUER + "/jwks"


class StandInProvider:
    """What the provider's web server would answer, and how often it was asked."""

    def __init__(self) -> None:
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})]
        self.issuer = ISSUER
        self.down = False
        self.fetched: list[str] = []

    def fetch(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        if self.down:
            raise ProviderUnavailable(f"{url}: ConnectionError")
        if url == METADATA_URL:
            return {"issuer": self.issuer, "jwks_uri": JWKS_URL}
        return {"keys": [k.as_dict(private=False) for k in self.keys]}

    def token(self, key: Any = None, kid: str = "k1", alg: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "sub": "s-1", "aud": "trajectflow", "iat": now, "exp": now + 300, **claims}
        return jwt.encode({"alg": alg, "kid": kid, "typ": "at+jwt"}, body, key or self.keys[0])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _provider(name: str = "staff", audience: str = "trajectflow") -> OidcProvider:
    return OidcProvider(
        name=name,
        label=name,
        client_id="trajectflow",
        client_secret="s",
        organisation="laborijn",
        issuer=ISSUER,
        server_metadata_url=METADATA_URL,
        audiences=(audience,),
    )


def _verifier(idp: StandInProvider, clock: Clock, *providers: OidcProvider) -> AccessTokenVerifier:
    documents = [ProviderDocuments(p, fetch=idp.fetch, clock=clock) for p in providers or (_provider(),)]
    return AccessTokenVerifier(documents)


def test_a_rotated_key_is_fetched_once_and_unknown_key_ids_do_not_hammer_the_provider() -> None:
    idp, clock = StandInProvider(), Clock()
    verifier = _verifier(idp, clock)
    assert verifier.verify(idp.token())[1]["sub"] == "s-1"
    assert idp.fetched == [METADATA_URL, JWKS_URL]
    clock.now += 60
    new_key = RSAKey.generate_key(2048, parameters={"kid": "k2", "alg": "RS256", "use": "sig"})
    idp.keys.append(new_key)
    assert verifier.verify(idp.token(new_key, kid="k2"))[1]["sub"] == "s-1"
    assert idp.fetched.count(JWKS_URL) == 2
    for _ in range(3):  # made-up key ids within the refresh interval: refused without asking again
        with pytest.raises(Unauthenticated):
            verifier.verify(idp.token(RSAKey.generate_key(2048), kid="k9"))
    assert idp.fetched.count(JWKS_URL) == 2
    clock.now += 31
    with pytest.raises(Unauthenticated):
        verifier.verify(idp.token(RSAKey.generate_key(2048), kid="k9"))
    assert idp.fetched.count(JWKS_URL) == 3


def test_a_provider_that_is_down_is_not_asked_on_every_request_and_the_last_document_is_kept() -> None:
    idp, clock = StandInProvider(), Clock()
    documents = ProviderDocuments(_provider(), fetch=idp.fetch, clock=clock)
    idp.down = True
    with pytest.raises(ProviderUnavailable):
        documents.metadata()
    with pytest.raises(ProviderUnavailable, match="a moment ago"):
        documents.metadata()
    assert idp.fetched == [METADATA_URL]
    idp.down = False
    clock.now += 31
    assert documents.metadata()["jwks_uri"] == JWKS_URL
    idp.down = True
    clock.now += 3601  # stale, and the provider is down again: keep working on the last good document
    assert documents.metadata()["jwks_uri"] == JWKS_URL


def test_a_discovery_document_naming_another_issuer_is_refused() -> None:
    idp, clock = StandInProvider(), Clock()
    idp.issuer = "https://evil.test"
    with pytest.raises(ProviderUnavailable, match="names issuer https://evil.test"):
        ProviderDocuments(_provider(), fetch=idp.fetch, clock=clock).metadata()
    with pytest.raises(Unauthenticated, match="keys cannot be fetched"):
        _verifier(idp, clock).verify(idp.token())


def test_symmetric_none_and_id_tokens_are_refused_and_the_audience_picks_the_provider() -> None:
    idp, clock = StandInProvider(), Clock()
    verifier = _verifier(idp, clock, _provider("staff", "trajectflow"), _provider("api", "api://trajectflow"))
    secret = OctKey.import_key("a-client-secret-that-is-long-enough-for-hs256")
    for token, reason in (
        (idp.token(secret, alg="HS256"), "unsupported signing algorithm"),
        (idp.token(nonce="n-1"), "an ID token is no access token"),
        (idp.token(aud="somebody-else"), "meant for another audience"),
        (idp.token(iss="https://other.test"), "not issued by a configured provider"),
        ("eyJhbGciOiJub25lIn0." + idp.token().split(".")[1] + ".", "unsupported signing algorithm"),  # alg none
        ("e30." + idp.token().split(".", 1)[1], "not a readable JWT"),
    ):
        with pytest.raises(Unauthenticated, match=reason):
            verifier.verify(token)
    assert verifier.verify(idp.token(aud=["x", "api://trajectflow"]))[0].name == "api"
    assert verifier.verify(idp.token())[0].name == "staff"
