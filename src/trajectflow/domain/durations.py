"""ISO 8601 durations on calendar dates (P14D, P2M, P1Y2M10DT2H)."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import datetime, timedelta

_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_iso_duration(text: str) -> dict[str, int]:
    normalised = text.strip().upper()
    match = _DURATION.match(normalised)
    # "P" and a trailing "T" (P1DT) match the all-optional pattern but name no amount.
    if not match or normalised == "P" or normalised.endswith("T"):
        raise ValueError(f"'{text}' is not an ISO 8601 duration such as P14D")
    return {k: int(v) for k, v in match.groupdict().items() if v}


def add_iso_duration(moment: datetime, text: str) -> datetime:
    """Add a duration; months and years move the calendar date (31 Jan + P1M = 28/29 Feb)."""
    parts = parse_iso_duration(text)
    months = parts.get("years", 0) * 12 + parts.get("months", 0)
    if months:
        month_index = moment.month - 1 + months
        year, month = moment.year + month_index // 12, month_index % 12 + 1
        moment = moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))
    return moment + timedelta(
        weeks=parts.get("weeks", 0),
        days=parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
