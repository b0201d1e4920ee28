"""Programmes such as Meedoen Werkt: a period, municipalities, targets and an enrolment rule.

Progress (see docs/kpis.md): residents to paid work = enrolled cases with a placement starting in
the programme period; employers with a workplace = employers with at least one workplace created
for the programme. Both are also given cumulatively per month, against the targets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.cases import Actor, CaseStatus
from ..domain.errors import Conflict, Forbidden, ValidationFailed
from ..domain.municipalities import normalise_municipality
from ..store.models import Case, Placement, Programme, ProgrammeEnrolment, Task, Workplace
from ..store.tenancy import in_scope
from .context import ServiceContext
from .loading import get_case, get_or_404
from .projection import record
from .registry_events import record_registry_event, registry_history

PROGRAMME_ROLES = frozenset({"teamleider", "beheerder"})
ENROL_ROLES = frozenset({"klantmanager", "werkgeversadviseur", "teamleider"})
RULE_KEYS = ("routes", "max_ladder_rung")


@dataclass(frozen=True)
class ProgrammeInput:
    code: str
    name: str
    start_date: date
    end_date: date
    municipalities: list[str]
    target_residents_to_work: int
    target_employers_with_workplace: int
    enrolment_rule: dict[str, Any] = field(default_factory=dict)


def _checked(data: ProgrammeInput) -> dict[str, Any]:
    values = asdict(data)
    errors: dict[str, list[str]] = {}
    if data.end_date < data.start_date:
        errors["end_date"] = ["before the start date"]
    codes = [normalise_municipality(m) for m in data.municipalities]
    if not codes or None in codes:
        errors["municipalities"] = ["give one or more known municipalities"]
    elif not all(in_scope(code) for code in codes):
        outside = sorted(str(code) for code in codes if not in_scope(code))
        errors["municipalities"] = [f"your organisation does not serve {', '.join(outside)}"]
    if data.target_residents_to_work < 0 or data.target_employers_with_workplace < 0:
        errors["targets"] = ["targets are zero or more"]
    unknown = set(data.enrolment_rule) - set(RULE_KEYS)
    if unknown:
        errors["enrolment_rule"] = [f"unknown conditions {sorted(unknown)}; known: {list(RULE_KEYS)}"]
    if errors:
        raise ValidationFailed("invalid programme", errors)
    values["municipalities"] = codes
    return values


def create_programme(ctx: ServiceContext, actor: Actor, data: ProgrammeInput) -> int:
    if not actor.roles & PROGRAMME_ROLES:
        raise Forbidden("only a teamleider or beheerder may set up a programme", {"roles": sorted(actor.roles)})
    values = _checked(data)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if uow.session.scalar(select(Programme.id).where(Programme.code == data.code)) is not None:
            raise Conflict(f"programme '{data.code}' exists", {"code": data.code})
        programme = Programme(**values, created_at=now, created_by=actor.username)
        uow.session.add(programme)
        uow.session.flush()
        details = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
        record_registry_event(
            uow.session,
            now,
            actor.username,
            "programme",
            programme.id,
            "programme_created",
            f"Programma '{programme.name}' aangemaakt",
            details,
        )
        uow.commit()
        return programme.id


def get_programme(session: Session, programme_id: int) -> Programme:
    return get_or_404(session, Programme, programme_id, "programme", "programme_id")


def rule_failures(session: Session, programme: Programme, case: Case, today: date) -> list[str]:
    """Why the case may not enrol (empty when it may)."""
    failures = []
    if case.municipality not in programme.municipalities:
        failures.append(f"municipality {case.municipality} is not in the programme")
    if not programme.start_date <= today <= programme.end_date:
        failures.append("the programme is not running")
    if case.status not in (CaseStatus.ACTIVE, CaseStatus.SUSPENDED):
        failures.append(f"the case is {case.status}")
    rule = programme.enrolment_rule or {}
    if rule.get("routes") and case.route not in rule["routes"]:
        failures.append(f"route {case.route or '-'} is not one of {rule['routes']}")
    if rule.get("max_ladder_rung") is not None:
        rung = latest_rung(session, case.id)
        if rung is None or rung > int(rule["max_ladder_rung"]):
            failures.append(f"ladder rung {rung or '-'} is above {rule['max_ladder_rung']}")
    return failures


def latest_rung(session: Session, case_id: int) -> int | None:
    rows = session.scalars(
        select(Task.submitted_data)
        .where(Task.case_id == case_id, Task.completed_at.is_not(None))
        .order_by(Task.completed_at.desc(), Task.id.desc())
    )
    for data in rows:
        if isinstance(data, dict) and data.get("ladder_trede") is not None:
            return int(data["ladder_trede"])
    return None


def enrol_case(ctx: ServiceContext, actor: Actor, programme_id: int, case_id: int) -> None:
    if not actor.roles & ENROL_ROLES:
        raise Forbidden("you may not enrol cases", {"required_role": sorted(ENROL_ROLES)})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        programme = get_programme(session, programme_id)
        case = get_case(session, case_id)
        exists = select(ProgrammeEnrolment.id).where(
            ProgrammeEnrolment.programme_id == programme_id, ProgrammeEnrolment.case_id == case_id
        )
        if session.scalar(exists) is not None:
            raise Conflict(f"case {case_id} is already enrolled", {"case_id": case_id})
        failures = rule_failures(session, programme, case, now.date())
        if failures:
            raise ValidationFailed("the case does not meet the enrolment rule", {"case_id": failures})
        session.add(
            ProgrammeEnrolment(programme_id=programme_id, case_id=case_id, enrolled_at=now, enrolled_by=actor.username)
        )
        record(
            session,
            case,
            now,
            "programme_enrolled",
            f"Ingeschreven in '{programme.name}'",
            actor.username,
            details={"programme_id": programme_id},
        )
        record_registry_event(
            session,
            now,
            actor.username,
            "programme",
            programme_id,
            "case_enrolled",
            f"Dossier {case_id} ingeschreven",
            {"case_id": case_id},
        )
        uow.commit()


def programme_dict(p: Programme) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "municipalities": p.municipalities,
        "target_residents_to_work": p.target_residents_to_work,
        "target_employers_with_workplace": p.target_employers_with_workplace,
        "enrolment_rule": p.enrolment_rule or {},
    }


def list_programmes(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.uow(write=False) as uow:
        return [programme_dict(p) for p in uow.session.scalars(select(Programme).order_by(Programme.start_date))]


def programme_progress(ctx: ServiceContext, programme_id: int) -> dict[str, Any]:
    """Enrolled cases, residents to paid work and employers with a workplace, per month and in total."""
    today = ctx.clock.now().date()
    with ctx.uow(write=False) as uow:
        session = uow.session
        programme = get_programme(session, programme_id)
        enrolled = session.scalar(
            select(func.count()).select_from(ProgrammeEnrolment).where(ProgrammeEnrolment.programme_id == programme_id)
        )
        placed = session.execute(
            select(Placement.case_id, func.min(Placement.start_date))
            .join(ProgrammeEnrolment, ProgrammeEnrolment.case_id == Placement.case_id)
            .where(
                ProgrammeEnrolment.programme_id == programme_id,
                Placement.start_date >= programme.start_date,
                Placement.start_date <= programme.end_date,
            )
            .group_by(Placement.case_id)
        ).all()
        employers = session.execute(
            select(Workplace.employer_id, func.min(Workplace.created_at))
            .where(Workplace.programme_id == programme_id)
            .group_by(Workplace.employer_id)
        ).all()
        history = registry_history(session, "programme", programme_id)
    months = _months(programme.start_date, min(programme.end_date, max(today, programme.start_date)))
    series = [
        {
            "month": month,
            "residents_to_work": sum(1 for _c, d in placed if f"{d:%Y-%m}" <= month),
            "employers_with_workplace": sum(1 for _e, at in employers if f"{at:%Y-%m}" <= month),
        }
        for month in months
    ]
    return {
        "programme": programme_dict(programme),
        "enrolled": int(enrolled or 0),
        "residents_to_work": len(placed),
        "employers_with_workplace": len(employers),
        "series": series,
        "history": history,
    }


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
