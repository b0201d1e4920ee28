"""OpenID Connect access tokens as API bearer tokens: JWTs signed by a configured provider.

Checked here, without asking the provider per request: the signature against the provider's JWKS
(found through its discovery document, cached, and fetched again when a token names a key id we do
not know, at most every JWKS_REFRESH_SECONDS), an asymmetric algorithm, `iss`, `aud` (the provider's
`audience`, by default its client_id), `exp` and `nbf` (LEEWAY_SECONDS of clock skew), and that it
is no ID token. Opaque access tokens would need the provider's introspection endpoint on every
request; they are not supported. Token times are the provider's, so they are checked against the
wall clock, not the service clock that moves business time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..domain.cases import Actor
from ..domain.errors import Unauthenticated
from .context import ServiceContext
from .oidc import identity_from_claims, sign_in_oidc
from .oidc_config import OidcProvider

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_SECONDS = 30
METADATA_SECONDS = 3600
JWKS_REFRESH_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 5

Fetch = Callable[[str], dict[str, Any]]


class ProviderUnavailable(Exception):
    """The provider's discovery document or keys could not be fetched or make no sense."""


def fetch_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as err:
        raise ProviderUnavailable(f"{url}: {type(err).__name__}") from None
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return document


class ProviderDocuments:
    """One provider's discovery document and key set, fetched when first needed and then cached."""

    def __init__(self, provider: OidcProvider, fetch: Fetch = fetch_json, clock: Callable[[], float] = time.monotonic):
        self.provider = provider
        self._fetch, self._clock = fetch, clock
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._failed_at: float | None = None
        self._keys: KeySet | None = None
        self._key_ids: frozenset[str] = frozenset()
        self._keys_at = 0.0

    def metadata(self) -> dict[str, Any]:
        """The discovery document; while the provider is down, the last good one (or a quick refusal)."""
        with self._lock:
            now = self._clock()
            fresh = self._metadata is not None and now - self._metadata_at <= METADATA_SECONDS
            # A provider that just failed is not asked again on every request (each would wait for it).
            failed_lately = self._failed_at is not None and now - self._failed_at < JWKS_REFRESH_SECONDS
            if self._metadata is not None and (fresh or failed_lately):
                return self._metadata
            if failed_lately:
                raise ProviderUnavailable(f"{self.provider.name}: unavailable a moment ago")
            try:
                self._metadata = self._checked_metadata(self._fetch(self.provider.server_metadata_url))
            except ProviderUnavailable:
                self._failed_at = now
                if self._metadata is not None:
                    return self._metadata
                raise
            self._metadata_at, self._failed_at = now, None
            return self._metadata

    def issuer(self) -> str:
        return self.provider.issuer or str(self.metadata()["issuer"])

    def key_set(self, kid: str | None) -> KeySet:
        jwks_uri = str(self.metadata()["jwks_uri"])
        with self._lock:
            now = self._clock()
            unknown_kid = kid is not None and kid not in self._key_ids
            if self._keys is None or (unknown_kid and now - self._keys_at >= JWKS_REFRESH_SECONDS):
                document = self._fetch(jwks_uri)
                try:
                    self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
                except (JoseError, ValueError, TypeError, KeyError) as err:
                    raise ProviderUnavailable(f"{jwks_uri}: unusable key set ({type(err).__name__})") from None
                self._key_ids = frozenset(k.kid for k in self._keys.keys if k.kid)
                self._keys_at = now
            return self._keys

    def _checked_metadata(self, document: dict[str, Any]) -> dict[str, Any]:
        issuer = document.get("issuer")
        if not isinstance(issuer, str) or not isinstance(document.get("jwks_uri"), str):
            raise ProviderUnavailable(f"{self.provider.server_metadata_url}: no issuer or jwks_uri")
        if self.provider.issuer is not None and issuer != self.provider.issuer:
            # OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for.
            raise ProviderUnavailable(f"the discovery document names issuer {issuer}, not {self.provider.issuer}")
        return document


def _refused(reason: str) -> Unauthenticated:
    return Unauthenticated(f"the OpenID Connect access token is not accepted: {reason}")


class AccessTokenVerifier:
    """Finds the provider that issued a JWT access token and checks the token; see the module doc."""

    def __init__(
        self,
        documents: Sequence[ProviderDocuments],
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._documents = list(documents)
        self._wall_clock = wall_clock

    def verify(self, token: str) -> tuple[OidcProvider, dict[str, Any]]:
        header, claims = _unverified(token)
        issuer = claims.get("iss")
        candidates = [d for d in self._documents if self._issuer_of(d) == issuer]
        if not isinstance(issuer, str) or not candidates:
            raise _refused("not issued by a configured provider")
        if header.get("alg") not in ASYMMETRIC_ALGORITHMS:
            raise _refused("unsupported signing algorithm")
        if "nonce" in claims or claims.get("typ") == "ID":
            raise _refused("an ID token is no access token")
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        try:
            keys = candidates[0].key_set(kid)
            verified = jwt.decode(token, keys, algorithms=list(ASYMMETRIC_ALGORITHMS))
            jwt.JWTClaimsRegistry(
                now=int(self._wall_clock()),
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": issuer},
                sub={"essential": True},
                exp={"essential": True},
            ).validate(verified.claims)
        except ProviderUnavailable:
            raise _refused("the provider's keys cannot be fetched at the moment") from None
        except JoseError as err:
            raise _refused(_reason(err)) from None
        audiences = _audiences(verified.claims.get("aud"))
        for documents in candidates:
            if audiences & set(documents.provider.audiences):
                return documents.provider, dict(verified.claims)
        raise _refused("meant for another audience")

    @staticmethod
    def _issuer_of(documents: ProviderDocuments) -> str | None:
        try:
            return documents.issuer()
        except ProviderUnavailable:
            return None


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if token.count(".") != 2:
        raise _refused("not a JWT (opaque access tokens are not supported)")
    try:
        compact = jws.extract_compact(token.encode("ascii"))
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, UnicodeError):
        raise _refused("not a readable JWT") from None
    if not isinstance(claims, dict):
        raise _refused("not a readable JWT")
    return dict(compact.headers()), claims


def _audiences(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def _reason(err: JoseError) -> str:
    name = type(err).__name__
    if name == "ExpiredTokenError":
        return "expired"
    if name == "BadSignatureError":
        return "bad signature"
    if name in {"InvalidClaimError", "MissingClaimError"}:
        return f"claim check failed ({err.description})"
    return f"cannot be verified ({err.error})"


def bearer_verifier(verifier: AccessTokenVerifier) -> Callable[[ServiceContext, str], Actor]:
    """The function api/identity.py calls for a bearer token that is not one of trajectflow's own."""

    def verify_oidc_bearer(ctx: ServiceContext, token: str) -> Actor:
        provider, claims = verifier.verify(token)
        identity = identity_from_claims(provider, str(claims["iss"]), claims)
        return sign_in_oidc(ctx, provider, identity)

    return verify_oidc_bearer
