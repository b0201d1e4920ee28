"""The OpenID Connect providers file: a bad one stops the start with file, provider and field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from trajectflow.app import create_app
from trajectflow.services.oidc_config import OidcConfigError, load_providers
from trajectflow.settings import Settings

GOOD = """
providers:
  - name: laborijn
    label: Laborijn
    organisation: laborijn
    issuer: https://login.laborijn.test/realms/staff
    client_id: trajectflow
    client_secret: s3cret
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "oidc.yaml"
    path.write_text(text)
    return path


def test_a_minimal_provider_gets_the_documented_defaults(tmp_path: Path) -> None:
    (provider,) = load_providers(_write(tmp_path, GOOD))
    assert provider.server_metadata_url == "https://login.laborijn.test/realms/staff/.well-known/openid-configuration"
    assert provider.scopes == "openid profile email"
    assert (provider.username_claim, provider.roles_claim) == ("preferred_username", "roles")
    assert provider.audiences == ("trajectflow",) and provider.role_map is None
    assert (provider.organisation, provider.municipality) == ("laborijn", None)
    assert "s3cret" not in repr(provider)


def test_json_works_too_and_a_secret_file_is_read_relative_to_the_providers_file(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("from-a-file\n")
    path = tmp_path / "oidc.json"
    path.write_text(
        '[{"name": "leudal", "label": "Gemeente Leudal", "municipality": "leudal",'
        ' "server_metadata_url": "https://idp.leudal.test/meta", "client_id": "tf",'
        ' "client_secret_file": "secret.txt", "scopes": ["openid", "profile"], "audience": ["api://tf", "tf"],'
        ' "roles_claim": "realm_access.roles", "role_map": {"KM": "Klantmanager", "TL": "teamleider"}}]'
    )
    (provider,) = load_providers(path)
    assert provider.client_secret == "from-a-file" and provider.issuer is None
    assert provider.scopes == "openid profile" and provider.audiences == ("api://tf", "tf")
    assert provider.role_map == {"KM": "klantmanager", "TL": "teamleider"}
    # Only mapped values count; a value mapping to nothing, or not a text, is ignored.
    assert provider.roles_from(["TL", "KM", "klantmanager", 7, "TL"]) == ["teamleider", "klantmanager"]
    assert provider.roles_from("KM") == ["klantmanager"] and provider.roles_from(None) == []


def test_without_a_role_map_claim_values_are_role_names() -> None:
    from trajectflow.services.oidc_config import OidcProvider

    provider = OidcProvider(name="x", label="X", client_id="c", client_secret="s", organisation="laborijn")
    assert provider.roles_from(["Wmo-consulent", "functioneel beheerder", "koffie"]) == ["wmo_consulent", "beheerder"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("organisation: laborijn", "organisation: nergens"),
            "provider 'laborijn': organisation: unknown organisation",
        ),
        (("organisation: laborijn", "municipality: leudal\n    organisation: laborijn"), "give exactly one of"),
        (("organisation: laborijn", "municipality: atlantis"), "provider 'laborijn': municipality: unknown"),
        (("    issuer: https://login.laborijn.test/realms/staff\n", ""), "provider 'laborijn': issuer: give 'issuer'"),
        (("https://login.laborijn.test/realms/staff", "login.laborijn.test"), "issuer: expected an http(s) URL"),
        (("    client_id: trajectflow\n", ""), "provider 'laborijn': client_id: required"),
        (("client_secret: s3cret", "client_secret_file: missing.txt"), "client_secret_file: cannot read"),
        (
            ("client_secret: s3cret", "client_secret: s3cret\n    scopes: profile email"),
            "scopes: must include 'openid'",
        ),
        (("client_secret: s3cret", "client_secret: s3cret\n    role_map: {Baas: directeur}"), "role_map: 'Baas'"),
        (("client_secret: s3cret", "client_secret: s3cret\n    audince: api"), "provider 'laborijn': audince: unknown"),
        (("name: laborijn", "name: Laborijn Staff"), "provider #1: name: required, lower-case"),
        (("label: Laborijn", "label: ''"), "provider 'laborijn': label: expected a non-empty text"),
    ],
)
def test_each_mistake_is_named_with_file_provider_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(OidcConfigError) as raised:
        load_providers(path)
    assert str(raised.value).startswith(f"{path}: ") and expected in str(raised.value)


def test_duplicate_names_unreadable_files_and_empty_lists_are_refused(tmp_path: Path) -> None:
    twice = GOOD + GOOD.split("providers:\n", 1)[1]
    for text, expected in (
        (twice, "provider 'laborijn': name: used twice"),
        ("providers: []", "expected a non-empty list under 'providers'"),
        ("providers: [", "not valid YAML or JSON"),
    ):
        with pytest.raises(OidcConfigError, match="oidc.yaml: ") as raised:
            load_providers(_write(tmp_path, text))
        assert expected in str(raised.value)
    with pytest.raises(OidcConfigError, match="cannot read the OpenID Connect providers file"):
        load_providers(tmp_path / "absent.yaml")


def test_the_application_does_not_start_with_a_bad_providers_file(tmp_path: Path) -> None:
    bad = _write(tmp_path, GOOD.replace("organisation: laborijn", "organisation: nergens"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", oidc_providers_file=bad)
    with pytest.raises(OidcConfigError, match="organisation: unknown organisation 'nergens'"):
        create_app(settings)
    good = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", oidc_providers_file=_write(tmp_path, GOOD))
    )
    assert "trajectflow.external_bearer" in good.extensions
    assert (
        "trajectflow.external_bearer"
        not in create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")).extensions
    )
