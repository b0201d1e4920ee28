"""Billing of purchased services: per selling organisation, buying municipality, month and route, the
trajectories started, active and ended (Echt-Susteren and Leudal buy from Werkbedrijf Roermond), and
the billable records behind those numbers: one per trajectory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ...domain.organisations import handling_organisation, purchased_services
from .scope import KpiFilter, KpiTable
from .trajectories import Trajectory, trajectories

COLUMNS = ["organisation", "municipality", "month", "route", "started", "active", "ended"]
RECORD_COLUMNS = ["case_id", "municipality", "organisation", "route", "start", "end"]


def months(start: date, end: date) -> list[tuple[str, datetime, datetime]]:
    """(yyyy-mm, first moment, first moment of the next month) for each month the period touches."""
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        found.append(
            (f"{year:04d}-{month:02d}", datetime(year, month, 1, tzinfo=UTC), datetime(*following, 1, tzinfo=UTC))
        )
        year, month = following
    return found


def _billable(session: Session, flt: KpiFilter) -> tuple[list[tuple[str, str]], list[Trajectory]]:
    """The (organisation, buying municipality) pairs in the filter and the trajectories they bill for."""
    pairs = [
        (org, municipality)
        for org, municipality in purchased_services()
        if (flt.organisation in (None, org)) and (flt.municipality in (None, municipality))
    ]
    buyers = {municipality: org for org, municipality in pairs}
    unscoped = KpiFilter(flt.start, flt.end, programme=flt.programme, as_of=flt.as_of)
    spans = [
        t
        for t in trajectories(session, unscoped)
        if t.municipality in buyers and handling_organisation(t.municipality, t.route) == buyers[t.municipality]
    ]
    return pairs, spans


def billing_records(session: Session, flt: KpiFilter) -> KpiTable:
    """One billable record per trajectory of a purchased-service municipality that runs in the period:
    case, buying municipality, selling organisation, route (trajectory type), start and end (empty: running)."""
    first, following = flt.bounds()
    _pairs, spans = _billable(session, flt)
    rows: list[list[Any]] = [
        [t.case_id, t.municipality, handling_organisation(t.municipality, t.route), t.route, _day(t.start), _day(t.end)]
        for t in sorted(spans, key=lambda t: (t.municipality, t.start, t.case_id))
        if t.start < following and (t.end is None or t.end >= first)
    ]
    return KpiTable("billing_records", RECORD_COLUMNS, rows, chart="")


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def billing(session: Session, flt: KpiFilter) -> KpiTable:
    pairs, spans = _billable(session, flt)
    rows: list[list[Any]] = []
    for org, municipality in sorted(pairs):
        for label, first, following in months(flt.start, flt.end):
            per_route: dict[str, list[int]] = {}
            for t in spans:
                if t.municipality != municipality or t.start >= following or (t.end is not None and t.end < first):
                    continue
                counts = per_route.setdefault(t.route, [0, 0, 0])
                counts[0] += first <= t.start
                counts[1] += 1
                counts[2] += t.end is not None and t.end < following
            rows.extend([org, municipality, label, route, *counts] for route, counts in sorted(per_route.items()))
    return KpiTable("billing", COLUMNS, rows)
