"""Domain rules without a database: BSN 11-proef, ISO durations on the calendar, role names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trajectflow.domain.bsn import is_valid_bsn, mask_bsn, normalise_bsn
from trajectflow.domain.durations import add_iso_duration, parse_iso_duration
from trajectflow.domain.roles import ROLES, is_known_role, normalise_role


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "100000034", "999999990", "012345611"])
def test_valid_bsns_pass_the_11_proef(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "bsn",
    [
        "111222334",
        "123456789",
        "000000000",
        "12345678",
        "1234567820",
        "12345678a",
        "",
        " 11222333",
        "１２３４５６７８２",
        "12345678²",
    ],
)
def test_invalid_bsns_fail(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


def test_non_strings_are_not_bsns() -> None:
    assert not is_valid_bsn(123456782)  # type: ignore[arg-type]
    assert not is_valid_bsn(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("123456782", "123456782"),
        ("1234 56 782", "123456782"),
        ("123.456.782", "123456782"),
        ("123-456-782", "123456782"),
        ("12345611", "012345611"),
        (" 012345611 ", "012345611"),
    ],
)
def test_common_bsn_notations_normalise(written: str, normalised: str) -> None:
    assert normalise_bsn(written) == normalised
    assert is_valid_bsn(normalise_bsn(written))


def test_masking_shows_only_the_last_three_digits() -> None:
    assert mask_bsn("123456782") == "******782"
    assert mask_bsn("12") == "*********"
    assert "123456" not in mask_bsn("123456782")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2026-01-31T09:00", "P1M", "2026-02-28T09:00"),
        ("2024-01-31T09:00", "P1M", "2024-02-29T09:00"),
        ("2026-03-31T09:00", "P1M", "2026-04-30T09:00"),
        ("2026-08-31T09:00", "P6M", "2027-02-28T09:00"),
        ("2026-12-15T09:00", "P1M", "2027-01-15T09:00"),
        ("2026-01-31T09:00", "P13M", "2027-02-28T09:00"),
        ("2024-02-29T09:00", "P1Y", "2025-02-28T09:00"),
        ("2026-03-02T09:00", "P2W", "2026-03-16T09:00"),
        ("2026-03-02T09:00", "P1W3D", "2026-03-12T09:00"),
        ("2026-03-02T09:00", "p14d", "2026-03-16T09:00"),
        ("2026-03-02T09:00", "P1DT2H30M", "2026-03-03T11:30"),
        ("2026-01-31T09:00", "P1M14D", "2026-03-14T09:00"),
        ("2026-03-02T09:00", "PT36H", "2026-03-03T21:00"),
    ],
)
def test_adding_iso_durations_follows_the_calendar(start: str, duration: str, expected: str) -> None:
    assert add_iso_duration(_at(start), duration) == _at(expected)


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "14D", "P1X", "P1.5D", "P-1D", "1M", "P1H", "PT1D"])
def test_malformed_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_iso_duration(text)


@pytest.mark.parametrize(
    ("written", "role"),
    [
        ("Klantmanager", "klantmanager"),
        ("  Trajectbegeleider ", "trajectbegeleider"),
        ("Wmo-consulent", "wmo_consulent"),
        ("WMO consulent", "wmo_consulent"),
        ("Consulent sociaal team", "consulent_sociaal_team"),
        ("Functioneel beheerder", "beheerder"),
        ("Accountmanager werkgevers", "werkgeversadviseur"),
        ("process designer", "procesontwerper"),
    ],
)
def test_lane_names_normalise_to_known_roles(written: str, role: str) -> None:
    assert normalise_role(written) == role
    assert is_known_role(normalise_role(written))


@pytest.mark.parametrize("written", [None, "", "   ", "---"])
def test_empty_role_names_normalise_to_none(written: str | None) -> None:
    assert normalise_role(written) is None


def test_every_role_id_normalises_to_itself_and_unknown_roles_are_unknown() -> None:
    assert all(normalise_role(role) == role for role in ROLES)
    assert not is_known_role("schoonmaker")
    assert not is_known_role(None)
