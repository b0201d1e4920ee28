"""The business calendar and the deadline policy per municipality, from settings and the policy file.

The policy file (`TRAJECTFLOW_POLICY_FILE`, YAML) may set, per municipality, deadline lengths and
extra closing days of the organisation that serves it:

    municipalities:
      leudal:
        termijnen: {intake: 5WD, plan_evaluatie: P3M}
        closing_days: [2026-12-24]
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..domain.calendar import BusinessCalendar, LiberationDay, parse_closing_days
from ..domain.deadlines import AlertPolicy, check_due_rule, policy_for
from ..domain.errors import ValidationFailed
from ..settings import Settings


@lru_cache(maxsize=16)
def _policy_file(path: Path | None, _mtime: float) -> dict[str, Any]:
    if path is None:
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValidationFailed(f"{path}: the policy file must be a mapping")
    municipalities = loaded.get("municipalities") or {}
    for code, entry in municipalities.items():
        for name, value in ((entry or {}).get("termijnen") or {}).items():
            problem = check_due_rule(str(value))
            if problem:
                raise ValidationFailed(f"{path}: {code}.termijnen.{name}: {problem}")
    return municipalities


def _municipality_entry(settings: Settings, municipality: str | None) -> dict[str, Any]:
    path = settings.policy_file
    mtime = path.stat().st_mtime if path is not None and path.exists() else 0.0
    return (_policy_file(path, mtime).get(municipality or "") or {}) if path is not None else {}


def deadline_policy(settings: Settings, municipality: str | None) -> dict[str, str]:
    """Policy deadline lengths for a municipality: the defaults with its overrides."""
    overrides = _municipality_entry(settings, municipality).get("termijnen") or {}
    return policy_for({str(k): str(v) for k, v in overrides.items()})


def business_calendar(settings: Settings, municipality: str | None = None) -> BusinessCalendar:
    extra = [str(d) for d in _municipality_entry(settings, municipality).get("closing_days") or []]
    return _calendar(settings.good_friday, settings.liberation_day, tuple(settings.closing_days) + tuple(extra))


@lru_cache(maxsize=64)
def _calendar(good_friday: bool, liberation_day: str, closing_days: tuple[str, ...]) -> BusinessCalendar:
    try:
        liberation = LiberationDay(liberation_day)
    except ValueError:
        choices = ", ".join(v.value for v in LiberationDay)
        raise ValidationFailed(f"TRAJECTFLOW_LIBERATION_DAY must be one of {choices}") from None
    return BusinessCalendar(good_friday, liberation, parse_closing_days(closing_days))


def alert_policy(settings: Settings) -> AlertPolicy:
    return AlertPolicy(settings.reminder_days, settings.escalation_days)
