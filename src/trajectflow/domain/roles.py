"""Roles of the Participatiewet organisation; BPMN lanes and candidate groups map onto them."""

from __future__ import annotations

import re

ROLES: dict[str, str] = {
    "klantmanager": "Klantmanager (Sociale Zaken)",
    "consulent_sociaal_team": "Consulent sociaal team",
    "trajectbegeleider": "Trajectbegeleider",
    "jobcoach": "Jobcoach",
    "werkgeversadviseur": "Werkgeversadviseur",
    "loonwaardedeskundige": "Loonwaardedeskundige",
    "wmo_consulent": "Wmo-consulent",
    "teamleider": "Teamleider",
    "procesontwerper": "Procesontwerper",
    "beheerder": "Functioneel beheerder",
}

CASEWORK_ROLES = frozenset(
    {
        "klantmanager",
        "consulent_sociaal_team",
        "trajectbegeleider",
        "jobcoach",
        "werkgeversadviseur",
        "loonwaardedeskundige",
        "wmo_consulent",
    }
)
SUPERVISOR_ROLES = frozenset({"teamleider"})

_ALIASES = {
    "functioneel_beheerder": "beheerder",
    "accountmanager_werkgevers": "werkgeversadviseur",
    "process_designer": "procesontwerper",
}


def normalise_role(name: str | None) -> str | None:
    """Map a lane or candidate-group name as modelers write it ("Wmo-consulent") to a role id."""
    if not name:
        return None
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return _ALIASES.get(key, key) or None


def is_known_role(role: str | None) -> bool:
    return role in ROLES
