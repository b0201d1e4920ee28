"""OpenID Connect providers per organisation, read from TRAJECTFLOW_OIDC_PROVIDERS_FILE (YAML or JSON).

The file is checked whole at start-up: any problem stops the application with the file, the provider
and the field in the message, so a half-working sign-in never reaches users. Example:

    providers:
      - name: laborijn                 # slug: /login/oidc/laborijn
        label: Laborijn-account        # button text
        organisation: laborijn         # or municipality: leudal (municipal staff)
        issuer: https://login.laborijn.nl/realms/staff
        client_id: trajectflow
        client_secret_file: /run/secrets/oidc-laborijn
        role_map: {Klantmanagers: klantmanager, Teamleiders: teamleider}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..domain.municipalities import MUNICIPALITIES
from ..domain.organisations import ORGANISATIONS
from ..domain.roles import is_known_role, normalise_role

DISCOVERY_PATH = "/.well-known/openid-configuration"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
_FIELDS = {
    "name",
    "label",
    "organisation",
    "municipality",
    "issuer",
    "server_metadata_url",
    "client_id",
    "client_secret",
    "client_secret_file",
    "scopes",
    "username_claim",
    "roles_claim",
    "role_map",
    "audience",
}


class OidcConfigError(ValueError):
    """The providers file cannot be used; the message names the file, the provider and the field."""


@dataclass(frozen=True)
class OidcProvider:
    name: str
    label: str
    client_id: str
    client_secret: str = field(repr=False)
    organisation: str | None = None
    municipality: str | None = None
    issuer: str | None = None  # None: taken from the discovery document at server_metadata_url
    server_metadata_url: str = ""
    scopes: str = "openid profile email"
    username_claim: str = "preferred_username"
    roles_claim: str = "roles"
    role_map: Mapping[str, str] | None = None  # claim value → role; None: claim values are role names
    audiences: tuple[str, ...] = ()

    def roles_from(self, claim: Any) -> list[str]:
        """The trajectflow roles a roles claim grants; values that map to no known role are ignored."""
        values = [claim] if isinstance(claim, str) else claim if isinstance(claim, list) else []
        roles: list[str] = []
        for value in values:
            if not isinstance(value, str):
                continue
            target = self.role_map.get(value) if self.role_map is not None else value
            role = normalise_role(target)
            if role is not None and is_known_role(role) and role not in roles:
                roles.append(role)
        return roles


def load_providers(path: Path) -> tuple[OidcProvider, ...]:
    """Read and check the providers file; raises OidcConfigError on the first problem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise OidcConfigError(f"{path}: cannot read the OpenID Connect providers file ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise OidcConfigError(f"{path}: not valid YAML or JSON: {err}") from None
    entries = document.get("providers") if isinstance(document, dict) else document
    if not isinstance(entries, list) or not entries:
        raise OidcConfigError(f"{path}: expected a non-empty list under 'providers'")
    providers: list[OidcProvider] = []
    for index, entry in enumerate(entries):
        provider = _provider(path, index, entry)
        if any(p.name == provider.name for p in providers):
            raise OidcConfigError(f"{path}: provider '{provider.name}': name: used twice")
        providers.append(provider)
    return tuple(providers)


def _provider(path: Path, index: int, entry: Any) -> OidcProvider:
    where = f"{path}: provider #{index + 1}"
    if not isinstance(entry, dict):
        raise OidcConfigError(f"{where}: expected a mapping of fields")
    name = entry.get("name")
    if isinstance(name, str) and _SLUG.match(name):
        where = f"{path}: provider '{name}'"
    else:
        raise OidcConfigError(f"{where}: name: required, lower-case letters, digits and '-' (up to 50)")

    def fail(field_name: str, problem: str) -> OidcConfigError:
        return OidcConfigError(f"{where}: {field_name}: {problem}")

    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise fail(unknown[0], f"unknown field (known: {', '.join(sorted(_FIELDS))})")
    text = _text_reader(entry, fail)
    organisation, municipality = text("organisation"), text("municipality")
    if (organisation is None) == (municipality is None):
        raise fail("organisation", "give exactly one of 'organisation' or 'municipality'")
    if organisation is not None and organisation not in ORGANISATIONS:
        raise fail("organisation", f"unknown organisation '{organisation}' (known: {', '.join(ORGANISATIONS)})")
    if municipality is not None and municipality not in MUNICIPALITIES:
        raise fail("municipality", f"unknown municipality '{municipality}'")
    issuer, metadata_url = _endpoints(text, fail)
    client_id = text("client_id", required=True)
    assert client_id is not None
    return OidcProvider(
        name=name,
        label=text("label", required=True) or name,
        client_id=client_id,
        client_secret=_secret(path, entry, text, fail),
        organisation=organisation,
        municipality=municipality,
        issuer=issuer,
        server_metadata_url=metadata_url,
        scopes=_scopes(entry.get("scopes"), fail),
        username_claim=text("username_claim") or "preferred_username",
        roles_claim=text("roles_claim") or "roles",
        role_map=_role_map(entry.get("role_map"), fail),
        audiences=_audiences(entry.get("audience"), client_id, fail),
    )


def _text_reader(entry: dict[str, Any], fail: Any) -> Any:
    def text(field_name: str, required: bool = False) -> str | None:
        value = entry.get(field_name)
        if value is None:
            if required:
                raise fail(field_name, "required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(field_name, "expected a non-empty text")
        return value.strip()

    return text


def _endpoints(text: Any, fail: Any) -> tuple[str | None, str]:
    issuer, metadata_url = text("issuer"), text("server_metadata_url")
    if issuer is None and metadata_url is None:
        raise fail(
            "issuer", "give 'issuer' (discovery at issuer + /.well-known/openid-configuration) or 'server_metadata_url'"
        )
    for field_name, url in (("issuer", issuer), ("server_metadata_url", metadata_url)):
        if url is not None and not re.match(r"^https?://[^/\s]+", url):
            raise fail(field_name, f"expected an http(s) URL, got '{url}'")
    if metadata_url is None:
        assert issuer is not None
        metadata_url = issuer.rstrip("/") + DISCOVERY_PATH
    return issuer, metadata_url


def _secret(path: Path, entry: dict[str, Any], text: Any, fail: Any) -> str:
    inline, secret_file = text("client_secret"), text("client_secret_file")
    if (inline is None) == (secret_file is None):
        raise fail("client_secret", "give exactly one of 'client_secret' or 'client_secret_file'")
    if inline is not None:
        return str(inline)
    secret_path = Path(secret_file)
    if not secret_path.is_absolute():
        secret_path = path.parent / secret_path
    try:
        secret = secret_path.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise fail("client_secret_file", f"cannot read {secret_path} ({err.strerror})") from None
    if not secret:
        raise fail("client_secret_file", f"{secret_path} is empty")
    return secret


def _scopes(value: Any, fail: Any) -> str:
    if value is None:
        return "openid profile email"
    scopes = value.split() if isinstance(value, str) else value
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s for s in scopes):
        raise fail("scopes", "expected a text like 'openid profile email' or a list")
    if "openid" not in scopes:
        raise fail("scopes", "must include 'openid'")
    return " ".join(scopes)


def _role_map(value: Any, fail: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        raise fail("role_map", "expected a mapping of claim value to role")
    mapped: dict[str, str] = {}
    for claim_value, target in value.items():
        role = normalise_role(target) if isinstance(target, str) else None
        if role is None or not is_known_role(role):
            raise fail("role_map", f"'{claim_value}' maps to '{target}', which is no role")
        mapped[str(claim_value)] = role
    return mapped


def _audiences(value: Any, client_id: str, fail: Any) -> tuple[str, ...]:
    if value is None:
        return (client_id,)
    audiences = [value] if isinstance(value, str) else value
    if not isinstance(audiences, list) or not audiences or not all(isinstance(a, str) and a for a in audiences):
        raise fail("audience", "expected a text or a list of texts")
    return tuple(audiences)
