"""Inflow and outflow KPIs: new cases, outflow per reason, outflow to work and durable outflow,
re-integration trajectories ending in outflow, and a summary per municipality."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...domain.cases import CaseStatus
from ...store.models import Case
from .scope import KpiFilter, KpiTable, answers, scoped
from .trajectories import trajectories

OPEN_CASE = (CaseStatus.ACTIVE, CaseStatus.ERRORED, CaseStatus.SUSPENDED)
REINTEGRATION_ROUTES = ("werk", "ontwikkeling")
OUTFLOW_FROM_TRAJECTORY = ("werk", "opleiding")


def _percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def inflow(session: Session, flt: KpiFilter) -> KpiTable:
    """New cases (meldingen) per month."""
    start, end = flt.bounds()
    query = scoped(select(Case.started_at).where(Case.started_at >= start, Case.started_at < end), flt)
    months: dict[str, int] = defaultdict(int)
    for (started,) in session.execute(query):
        months[f"{started:%Y-%m}"] += 1
    return KpiTable("inflow", ["month", "cases"], [[m, n] for m, n in sorted(months.items())])


def outflow(session: Session, flt: KpiFilter) -> KpiTable:
    """Cases leaving benefit in the period, per reason (`uitstroom_reden`)."""
    reasons: dict[str, int] = defaultdict(int)
    for _case, reason, _at in answers(session, flt, "uitstroom_reden"):
        reasons[str(reason)] += 1
    rows: list[list[Any]] = [[r, n] for r, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]
    return KpiTable("outflow", ["reason", "cases"], rows, chart="doughnut")


def durable_outflow(session: Session, flt: KpiFilter) -> KpiTable:
    """Outflow to work, and of the 26-week checks done in the period how many are still off benefit."""
    to_work = sum(1 for _c, reason, _at in answers(session, flt, "uitstroom_reden") if reason == "werk")
    checks = [bool(answer) for _c, answer, _at in answers(session, flt, "nog_uit_uitkering")]
    durable = sum(checks)
    return KpiTable(
        "durable",
        ["measure", "value"],
        [
            ["outflow_to_work", to_work],
            ["checked_after_26_weeks", len(checks)],
            ["still_off_benefit", durable],
            ["durable_percentage", _percentage(durable, len(checks))],
        ],
    )


def reintegration(session: Session, flt: KpiFilter) -> KpiTable:
    """Re-integration trajectories (routes werk, ontwikkeling) ended in the period, and how many of them
    ended in outflow: outflow to work or education registered at the end of the case's last trajectory."""
    start, end = flt.bounds()
    ended: dict[str, int] = defaultdict(int)
    success: dict[str, int] = defaultdict(int)
    for t in trajectories(session, flt):
        if t.route not in REINTEGRATION_ROUTES or t.end is None or not start <= t.end < end:
            continue
        ended[t.route] += 1
        if t.ended_by_outflow and t.outflow_reason in OUTFLOW_FROM_TRAJECTORY:
            success[t.route] += 1
    rows: list[list[Any]] = [
        [route, ended[route], success[route], _percentage(success[route], ended[route])]
        for route in REINTEGRATION_ROUTES
    ]
    total, total_success = sum(ended.values()), sum(success.values())
    rows.append(["total", total, total_success, _percentage(total_success, total)])
    return KpiTable("reintegration", ["route", "ended", "ended_in_outflow", "percentage"], rows)


def per_municipality(session: Session, flt: KpiFilter) -> KpiTable:
    """Per municipality: new cases in the period, open cases now, outflow and outflow to work in the period."""
    start, end = flt.bounds()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    started = scoped(
        select(Case.municipality, func.count())
        .where(Case.started_at >= start, Case.started_at < end)
        .group_by(Case.municipality),
        flt,
    )
    for municipality, n in session.execute(started):
        counts[municipality][0] = int(n)
    open_now = scoped(
        select(Case.municipality, func.count())
        .where(Case.status.in_(OPEN_CASE), Case.started_at < flt.now())
        .group_by(Case.municipality),
        flt,
    )
    for municipality, n in session.execute(open_now):
        counts[municipality][1] = int(n)
    municipality_of = {case_id: m for case_id, m in session.execute(scoped(select(Case.id, Case.municipality), flt))}
    for case_id, reason, _at in answers(session, flt, "uitstroom_reden"):
        counts[municipality_of[case_id]][2] += 1
        counts[municipality_of[case_id]][3] += reason == "werk"
    rows = [[m, *values] for m, values in sorted(counts.items())]
    return KpiTable("municipalities", ["municipality", "inflow", "open_cases", "outflow", "outflow_to_work"], rows)
