"""What every template can use: the signed-in user, the menu, languages and Dutch date formats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale

from ..domain.municipalities import MUNICIPALITIES
from ..domain.roles import ROLES
from .auth import optional_web_actor
from .i18n import LANGUAGES
from .nav import nav_items


def _as_datetime(value: Any) -> date | datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, date | datetime):
        return value
    try:
        text = str(value)
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def date_filter(value: Any, style: str = "medium") -> str:
    """A date (or the date of a datetime) in the user's language: '2 mrt 2026' in Dutch."""
    moment = _as_datetime(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    if isinstance(moment, datetime):
        return format_datetime(moment, "d MMM yyyy" if style == "medium" else "dd-MM-yyyy")
    return format_date(moment, "d MMM yyyy" if style == "medium" else "dd-MM-yyyy")


def datetime_filter(value: Any) -> str:
    moment = _as_datetime(value)
    if not isinstance(moment, datetime):
        return date_filter(value)
    return format_datetime(moment, "d MMM yyyy HH:mm")


def _context() -> dict[str, Any]:
    actor = optional_web_actor()
    return {
        "actor": actor,
        "nav": nav_items(actor),
        "languages": LANGUAGES,
        "locale": str(get_locale() or "nl"),
        "current_path": request.full_path.rstrip("?"),
    }


def install_template_helpers(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["municipality"] = lambda code: MUNICIPALITIES.get(code or "", code or "")
    app.jinja_env.filters["role"] = lambda role: ROLES.get(role or "", role or "")
    app.jinja_env.add_extension("jinja2.ext.do")
