"""Plain service results as JSON with ISO 8601 dates and datetimes (Flask's own JSON writes RFC 822)."""

from __future__ import annotations

from datetime import date
from typing import Any


def iso_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: iso_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso_json(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value
