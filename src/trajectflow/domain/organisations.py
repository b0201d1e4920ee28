"""Execution organisations and the municipalities they serve, as owner or by purchased service.

A static configuration table (DOMAIN.md): Roermond's new werkbedrijf is owned by Roermond, Maasgouw and
Roerdalen; Echt-Susteren and Leudal do not join but buy its services, billed per trajectory. Westrom
stays the place for beschut werk of all five. SDOA/Werkbaan Oost serves the Achterhoek three;
Laborijn serves Oude IJsselstreek. A case's handling organisation follows from its municipality and,
for beschut werk, its route.
"""

from __future__ import annotations

from dataclasses import dataclass

OWNER = "owner"
PURCHASED = "purchased"


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    # municipality code → OWNER or PURCHASED
    municipalities: dict[str, str]
    # Routes this organisation handles; empty = every route not claimed by a specialised organisation.
    routes: frozenset[str] = frozenset()


ORGANISATIONS: dict[str, Organisation] = {
    org.code: org
    for org in (
        Organisation(
            "werkbedrijf-roermond",
            "Werkbedrijf Roermond",
            {
                "roermond": OWNER,
                "maasgouw": OWNER,
                "roerdalen": OWNER,
                "echt-susteren": PURCHASED,
                "leudal": PURCHASED,
            },
        ),
        Organisation(
            "westrom",
            "Westrom",
            {m: OWNER for m in ("roermond", "maasgouw", "roerdalen", "echt-susteren", "leudal")},
            frozenset({"beschut_werk"}),
        ),
        Organisation(
            "sdoa-werkbaan-oost",
            "SDOA/Werkbaan Oost",
            {"berkelland": OWNER, "oost-gelre": OWNER, "winterswijk": OWNER},
        ),
        Organisation("laborijn", "Laborijn", {"oude-ijsselstreek": OWNER}),
    )
}


def handling_organisation(municipality: str, route: str | None = None) -> str | None:
    """The organisation that handles a case of this municipality on this route."""
    general = None
    for org in ORGANISATIONS.values():
        if municipality not in org.municipalities:
            continue
        if org.routes and route in org.routes:
            return org.code
        if not org.routes and general is None:
            general = org.code
    return general


def relation(organisation: str, municipality: str) -> str | None:
    org = ORGANISATIONS.get(organisation)
    return org.municipalities.get(municipality) if org else None


def purchased_services() -> list[tuple[str, str]]:
    """(organisation, municipality) pairs where the municipality buys the organisation's services."""
    return [
        (org.code, municipality)
        for org in ORGANISATIONS.values()
        for municipality, kind in org.municipalities.items()
        if kind == PURCHASED
    ]
