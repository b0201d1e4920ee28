"""Which municipalities' cases a user may see: the tenancy rule, in one place.

Staff of an execution organisation see every municipality it serves, as owner or by purchased service
(Werkbedrijf Roermond sees Echt-Susteren and Leudal too). Municipal staff see only their own
municipality. A user with neither sees no cases at all: access is granted, never assumed.
"""

from __future__ import annotations

from .organisations import ORGANISATIONS


def visible_municipalities(organisation: str | None, municipality: str | None) -> frozenset[str]:
    if municipality:
        return frozenset({municipality})
    org = ORGANISATIONS.get(organisation or "")
    return frozenset(org.municipalities) if org else frozenset()
