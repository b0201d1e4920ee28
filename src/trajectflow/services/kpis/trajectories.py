"""Trajectories: the spans a case spends on one route, from its `route_chosen` history.

A trajectory starts when the route is chosen and ends when another route is chosen, when outflow is
registered (the case stays open for the 26-week check) or when the case closes, whichever comes first.
Re-integration outcome and billing of purchased services both count them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...store.models import Case, CaseEvent
from .scope import KpiFilter, answers, scoped


@dataclass(frozen=True)
class Trajectory:
    case_id: int
    municipality: str
    route: str
    start: datetime
    end: datetime | None
    ended_by_outflow: bool  # the case's last trajectory, ended by the registered outflow
    outflow_reason: str | None  # the case's uitstroom_reden, if any


def trajectories(session: Session, flt: KpiFilter) -> list[Trajectory]:
    """Every trajectory of the cases in scope that started before the period ends."""
    _start, end = flt.bounds()
    query = scoped(
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.details, Case.municipality, Case.closed_at)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "route_chosen", CaseEvent.at < end)
        .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id),
        flt,
    )
    per_case: dict[int, list[tuple[datetime, str, str, datetime | None]]] = defaultdict(list)
    for case_id, at, details, municipality, closed_at in session.execute(query):
        route = (details or {}).get("route")
        if route:
            per_case[case_id].append((at, route, municipality, closed_at))
    outflows = {
        case_id: (str(reason), at) for case_id, reason, at in answers(session, flt.since_ever(), "uitstroom_reden")
    }
    found = []
    for case_id, spans in per_case.items():
        outflow = outflows.get(case_id)
        for index, (at, route, municipality, closed_at) in enumerate(spans):
            following = spans[index + 1][0] if index + 1 < len(spans) else None
            ended = following or (outflow[1] if outflow else closed_at)
            by_outflow = following is None and outflow is not None
            reason = outflow[0] if outflow else None
            found.append(Trajectory(case_id, municipality, route, at, ended, by_outflow, reason))
    return found
