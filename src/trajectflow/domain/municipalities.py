"""Municipalities trajectflow knows. Codes are lowercase slugs used in data and URLs."""

from __future__ import annotations

MUNICIPALITIES: dict[str, str] = {
    "roermond": "Roermond",
    "maasgouw": "Maasgouw",
    "roerdalen": "Roerdalen",
    "echt-susteren": "Echt-Susteren",
    "leudal": "Leudal",
    "berkelland": "Berkelland",
    "oost-gelre": "Oost Gelre",
    "winterswijk": "Winterswijk",
    "oude-ijsselstreek": "Oude IJsselstreek",
}


def normalise_municipality(value: str) -> str | None:
    key = value.strip().lower().replace(" ", "-")
    if key in MUNICIPALITIES:
        return key
    for code, name in MUNICIPALITIES.items():
        if name.lower() == value.strip().lower():
            return code
    return None
