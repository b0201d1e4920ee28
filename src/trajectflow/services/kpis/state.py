"""Where cases are and how they move: caseload, participatieladder movement, throughput per phase,
overdue tasks and the instruments deployed."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from statistics import mean, median
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...domain.cases import CLOSED_PHASE, TaskStatus
from ...store.models import Case, CaseEvent, Task
from .flow import OPEN_CASE
from .scope import KpiFilter, KpiTable, answers, scoped

INSTRUMENTS = ("loonkostensubsidie", "jobcoach", "beschut_werk", "werkervaringsplaats", "proefplaatsing")


def caseload(session: Session, flt: KpiFilter) -> KpiTable:
    """Open cases now, per phase and route (the period does not apply: it is a snapshot)."""
    query = scoped(
        select(Case.phase, Case.route, func.count())
        .where(Case.status.in_(OPEN_CASE))
        .group_by(Case.phase, Case.route)
        .order_by(Case.phase, Case.route),
        flt,
    )
    rows = [[phase or "-", route or "-", int(n)] for phase, route, n in session.execute(query)]
    return KpiTable("caseload", ["phase", "route", "cases"], rows)


def ladder_movement(session: Session, flt: KpiFilter) -> KpiTable:
    """Cases measured at least twice whose latest measurement lies in the period: first vs latest rung."""
    start, _end = flt.bounds()
    first: dict[int, int] = {}
    latest: dict[int, tuple[int, datetime]] = {}
    count: dict[int, int] = defaultdict(int)
    for case_id, rung, at in answers(session, flt.since_ever(), "ladder_trede"):
        first.setdefault(case_id, int(rung))
        latest[case_id] = (int(rung), at)
        count[case_id] += 1
    moves = {"up": 0, "same": 0, "down": 0}
    steps: list[int] = []
    for case_id, (rung, at) in latest.items():
        if count[case_id] < 2 or at < start:
            continue
        step = rung - first[case_id]
        steps.append(step)
        moves["up" if step > 0 else "down" if step < 0 else "same"] += 1
    rows: list[list[Any]] = [[k, v] for k, v in moves.items()]
    rows.append(["mean_steps", round(mean(steps), 2) if steps else None])
    return KpiTable("ladder", ["movement", "cases"], rows)


def throughput(session: Session, flt: KpiFilter) -> KpiTable:
    """Days spent per phase, over phases that ended in the period (from the phase_changed history)."""
    start, end = flt.bounds()
    query = scoped(
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.details)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "phase_changed", CaseEvent.at < end)
        .order_by(CaseEvent.case_id, CaseEvent.id),
        flt,
    )
    spans: dict[str, list[float]] = defaultdict(list)
    previous: tuple[int, str, datetime] | None = None
    for case_id, at, details in session.execute(query):
        phase = (details or {}).get("to")
        if previous is not None and previous[0] == case_id and at >= start:
            spans[previous[1]].append((at - previous[2]).total_seconds() / 86400)
        previous = (case_id, phase, at) if phase and phase != CLOSED_PHASE else None
    rows = [
        [phase, len(days), round(mean(days), 1), round(median(days), 1)]
        for phase, days in sorted(spans.items(), key=lambda item: item[0])
    ]
    return KpiTable("throughput", ["phase", "phases_ended", "mean_days", "median_days"], rows)


def overdue_tasks(session: Session, flt: KpiFilter) -> KpiTable:
    """Open tasks now per role, and how many of them are past their due date."""
    now = flt.now()
    overdue = func.sum(case((Task.due_at < now, 1), else_=0))
    query = scoped(
        select(Task.role, func.count(), overdue)
        .join(Case, Case.id == Task.case_id)
        .where(Task.status == TaskStatus.OPEN)
        .group_by(Task.role)
        .order_by(Task.role),
        flt,
    )
    rows = [[role or "-", int(n), int(late or 0)] for role, n, late in session.execute(query)]
    return KpiTable("overdue", ["role", "open_tasks", "overdue_tasks"], rows)


def instruments(session: Session, flt: KpiFilter) -> KpiTable:
    """Instruments started in the period (a task completed in it), by the answers that start them."""
    counts = dict.fromkeys(INSTRUMENTS, 0)
    counts["loonkostensubsidie"] = sum(1 for _c, v, _at in answers(session, flt, "lks_toegekend") if v is True)
    counts["jobcoach"] = len(answers(session, flt, "jobcoach_uren_per_week"))
    counts["beschut_werk"] = len(answers(session, flt, "werklocatie"))
    counts["proefplaatsing"] = len(answers(session, flt, "proefplaatsing_startdatum"))
    for _case, items, _at in answers(session, flt, "ingezette_instrumenten"):
        for item in items if isinstance(items, list) else []:
            name = item.get("instrument") if isinstance(item, dict) else None
            key = "jobcoach" if name == "jobcoaching" else name
            if key in counts:
                counts[key] += 1
    return KpiTable("instruments", ["instrument", "count"], [[k, v] for k, v in counts.items()])
