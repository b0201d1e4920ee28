"""KPI reports for teamleiders and councils, per municipality and period, from indexed tables only.

Each report is a `ReportTable`: column keys (the web layer translates them) and rows of plain
values, so the page, its chart and the CSV/XLSX exports all show the same numbers.
Answers given in forms are found by their field name (`uitstroom_reden`, `nog_uit_uitkering`,
`ladder_trede`) in every form that has that field, so renamed tasks or new routes keep counting.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean, median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.cases import CLOSED_PHASE, Actor, CaseStatus, TaskStatus
from ..domain.errors import NotFound, ValidationFailed
from ..store.models import Case, CaseEvent, ProcessVersion, Task
from .context import ServiceContext
from .supervision import require_supervisor

OPEN_CASE = (CaseStatus.ACTIVE, CaseStatus.ERRORED, CaseStatus.SUSPENDED)
REPORTS = ("inflow", "outflow", "durable", "caseload", "ladder", "throughput")


@dataclass(frozen=True)
class ReportPeriod:
    start: date
    end: date  # inclusive
    municipality: str | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        if self.end < self.start:
            raise ValidationFailed("the period ends before it starts", {"end": ["before start"]})
        start = datetime.combine(self.start, time.min, tzinfo=UTC)
        return start, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)


@dataclass
class ReportTable:
    key: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = "bar"  # how the page draws it: first column labels, the other numeric columns values

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "columns": self.columns, "rows": self.rows, "chart": self.chart}


def report(ctx: ServiceContext, actor: Actor, key: str, period: ReportPeriod) -> ReportTable:
    require_supervisor(actor)
    builders = {
        "inflow": inflow,
        "outflow": outflow,
        "durable": durable_outflow,
        "caseload": caseload,
        "ladder": ladder_movement,
        "throughput": throughput,
    }
    if key not in builders:
        raise NotFound(f"unknown report '{key}'", {"report": key, "known": list(REPORTS)})
    period.bounds()
    with ctx.uow(write=False) as uow:
        return builders[key](uow.session, period)


def all_reports(ctx: ServiceContext, actor: Actor, period: ReportPeriod) -> list[ReportTable]:
    return [report(ctx, actor, key, period) for key in REPORTS]


def _in_municipality(query: Any, period: ReportPeriod) -> Any:
    return query.where(Case.municipality == period.municipality) if period.municipality else query


def inflow(session: Session, period: ReportPeriod) -> ReportTable:
    """New cases (meldingen) per month."""
    start, end = period.bounds()
    query = _in_municipality(select(Case.started_at).where(Case.started_at >= start, Case.started_at < end), period)
    months: dict[str, int] = defaultdict(int)
    for (started,) in session.execute(query):
        months[f"{started:%Y-%m}"] += 1
    return ReportTable("inflow", ["month", "cases"], [[m, n] for m, n in sorted(months.items())])


def _answers(session: Session, period: ReportPeriod, field_name: str) -> list[tuple[int, Any, datetime]]:
    """(case id, answer, completed at) of completed tasks in the period whose form has `field_name`."""
    start, end = period.bounds()
    forms = _forms_with(session, field_name)
    if not forms:
        return []
    query = _in_municipality(
        select(Task.case_id, Task.submitted_data, Task.completed_at)
        .join(Case, Case.id == Task.case_id)
        .where(
            Task.status == TaskStatus.COMPLETED,
            Task.form.in_(forms),
            Task.completed_at >= start,
            Task.completed_at < end,
        )
        .order_by(Task.completed_at, Task.id),
        period,
    )
    return [
        (case_id, data[field_name], completed)
        for case_id, data, completed in session.execute(query)
        if isinstance(data, dict) and data.get(field_name) is not None
    ]


def _forms_with(session: Session, field_name: str) -> list[str]:
    names: set[str] = set()
    for (forms,) in session.execute(select(ProcessVersion.forms)):
        for name, schema in (forms or {}).items():
            if isinstance(schema, dict) and field_name in schema.get("properties", {}):
                names.add(name)
    return sorted(names)


def outflow(session: Session, period: ReportPeriod) -> ReportTable:
    """Cases leaving benefit in the period, per reason (`uitstroom_reden`)."""
    reasons: dict[str, int] = defaultdict(int)
    for _case, reason, _at in _answers(session, period, "uitstroom_reden"):
        reasons[str(reason)] += 1
    rows: list[list[Any]] = [[r, n] for r, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]
    return ReportTable("outflow", ["reason", "cases"], rows, chart="doughnut")


def durable_outflow(session: Session, period: ReportPeriod) -> ReportTable:
    """Outflow to work, and of the 26-week checks done in the period how many are still off benefit."""
    to_work = sum(1 for _c, reason, _at in _answers(session, period, "uitstroom_reden") if reason == "werk")
    checks = [bool(answer) for _c, answer, _at in _answers(session, period, "nog_uit_uitkering")]
    durable = sum(checks)
    share = round(100 * durable / len(checks), 1) if checks else None
    return ReportTable(
        "durable",
        ["measure", "value"],
        [
            ["outflow_to_work", to_work],
            ["checked_after_26_weeks", len(checks)],
            ["still_off_benefit", durable],
            ["durable_percentage", share],
        ],
    )


def caseload(session: Session, period: ReportPeriod) -> ReportTable:
    """Open cases now, per phase and route (the period does not apply: it is a snapshot)."""
    query = _in_municipality(
        select(Case.phase, Case.route, func.count())
        .where(Case.status.in_(OPEN_CASE))
        .group_by(Case.phase, Case.route)
        .order_by(Case.phase, Case.route),
        period,
    )
    rows = [[phase or "-", route or "-", int(n)] for phase, route, n in session.execute(query)]
    return ReportTable("caseload", ["phase", "route", "cases"], rows)


def ladder_movement(session: Session, period: ReportPeriod) -> ReportTable:
    """Cases measured at least twice whose latest measurement lies in the period: first vs latest rung."""
    everything = ReportPeriod(date(1900, 1, 1), period.end, period.municipality)
    start, _end = period.bounds()
    first: dict[int, int] = {}
    latest: dict[int, tuple[int, datetime]] = {}
    count: dict[int, int] = defaultdict(int)
    for case_id, rung, at in _answers(session, everything, "ladder_trede"):
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
    return ReportTable("ladder", ["movement", "cases"], rows)


def throughput(session: Session, period: ReportPeriod) -> ReportTable:
    """Days spent per phase, over phases that ended in the period (from the phase_changed history)."""
    start, end = period.bounds()
    query = _in_municipality(
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.details)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "phase_changed", CaseEvent.at < end)
        .order_by(CaseEvent.case_id, CaseEvent.id),
        period,
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
    return ReportTable("throughput", ["phase", "phases_ended", "mean_days", "median_days"], rows)
