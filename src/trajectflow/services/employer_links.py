"""Links the werk_plaatsing tasks to the employer registry, inside the task's own transaction.

Found by the fields a submission has (as the reports do), so renamed tasks keep linking:
- a match (`werkgever_naam`, `kvk_nummer`, optional `werkplek_id`): the workplace must exist, be
  open and belong to the employer with that KvK number; an employer not yet registered is
  registered from the match;
- a trajectplan with the employer (`doelen`, `startdatum`, `loonkostensubsidie`): stored as the
  case's employer plan (goals, ontwikkelafspraken, kostenverdeling, instruments);
- a placement (`startdatum_werk`): a placement with the matched employer; its workplace is filled.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.cases import TaskStatus
from ..domain.errors import ValidationFailed
from ..store.models import Case, Employer, EmployerPlan, Placement, Task, Workplace
from .projection import record
from .registry_events import record_registry_event

PLAN_INSTRUMENTS = ("proefplaatsing", "loonkostensubsidie", "jobcoach")


def is_match(data: dict[str, Any]) -> bool:
    return "kvk_nummer" in data and "werkgever_naam" in data


def is_employer_plan(data: dict[str, Any]) -> bool:
    return "doelen" in data and "startdatum" in data and "loonkostensubsidie" in data


def check_employer_links(session: Session, data: dict[str, Any]) -> None:
    """Reject a match naming a workplace that is unknown, not open or of another employer."""
    if not is_match(data) or data.get("werkplek_id") is None:
        return
    workplace = session.get(Workplace, int(data["werkplek_id"]))
    if workplace is None:
        raise ValidationFailed("unknown workplace", {"werkplek_id": [f"workplace {data['werkplek_id']} not found"]})
    if workplace.status != "open":
        raise ValidationFailed("workplace not open", {"werkplek_id": [f"the workplace is {workplace.status}"]})
    employer = session.get(Employer, workplace.employer_id)
    if employer is not None and employer.kvk_number != data["kvk_nummer"]:
        raise ValidationFailed(
            "the workplace belongs to another employer",
            {"kvk_nummer": [f"the workplace is offered by KvK {employer.kvk_number}"]},
        )


def record_employer_links(
    session: Session, case: Case, task: Task, data: dict[str, Any], now: datetime, actor: str
) -> None:
    if is_match(data):
        _matched_employer(session, data, now, actor)
    elif is_employer_plan(data):
        _store_plan(session, case, task, data, now, actor)
    elif "startdatum_werk" in data:
        _store_placement(session, case, task, data, now, actor)


def _matched_employer(session: Session, data: dict[str, Any], now: datetime, actor: str) -> Employer:
    kvk = str(data["kvk_nummer"])
    employer = session.scalar(select(Employer).where(Employer.kvk_number == kvk))
    if employer is None:
        employer = Employer(
            name=str(data["werkgever_naam"]).strip(),
            kvk_number=kvk,
            contacts=[],
            created_at=now,
            created_by=actor,
            updated_at=now,
        )
        session.add(employer)
        session.flush()
        record_registry_event(
            session,
            now,
            actor,
            "employer",
            employer.id,
            "employer_registered",
            f"Werkgever '{employer.name}' geregistreerd vanuit een match",
            {"kvk_number": kvk},
        )
    return employer


def latest_match(session: Session, case_id: int) -> tuple[dict[str, Any], Employer, Workplace | None] | None:
    """The case's latest completed match with its employer and workplace."""
    rows = session.scalars(
        select(Task)
        .where(Task.case_id == case_id, Task.status == TaskStatus.COMPLETED)
        .order_by(Task.completed_at.desc(), Task.id.desc())
    )
    for row in rows:
        data = row.submitted_data or {}
        if is_match(data):
            employer = session.scalar(select(Employer).where(Employer.kvk_number == str(data["kvk_nummer"])))
            if employer is None:
                return None
            workplace = session.get(Workplace, int(data["werkplek_id"])) if data.get("werkplek_id") else None
            return data, employer, workplace
    return None


def _store_plan(session: Session, case: Case, task: Task, data: dict[str, Any], now: datetime, actor: str) -> None:
    match = latest_match(session, case.id)
    if match is None:
        return
    _match_data, employer, workplace = match
    plan = EmployerPlan(
        case_id=case.id,
        employer_id=employer.id,
        workplace_id=workplace.id if workplace else None,
        task_id=task.id,
        goals=str(data["doelen"]),
        agreements=list(data.get("ontwikkelafspraken") or []),
        cost_sharing=list(data.get("kostenverdeling") or []),
        instruments=[name for name in PLAN_INSTRUMENTS if data.get(name)],
        evaluations=[],
        start_date=date.fromisoformat(str(data["startdatum"])),
        end_date=date.fromisoformat(str(data["einddatum"])) if data.get("einddatum") else None,
        created_at=now,
        created_by=actor,
    )
    session.add(plan)
    session.flush()
    record_registry_event(
        session,
        now,
        actor,
        "employer",
        employer.id,
        "plan_agreed",
        f"Trajectplan voor dossier {case.id} vastgelegd",
        {"plan_id": plan.id, "case_id": case.id},
    )
    record(
        session,
        case,
        now,
        "employer_plan",
        f"Trajectplan met '{employer.name}' vastgelegd",
        actor,
        task,
        details={"plan_id": plan.id, "employer_id": employer.id},
    )


def _store_placement(session: Session, case: Case, task: Task, data: dict[str, Any], now: datetime, actor: str) -> None:
    match = latest_match(session, case.id)
    if match is None:
        return
    match_data, employer, workplace = match
    hours = data.get("uren_per_week") or match_data.get("uren")
    placement = Placement(
        case_id=case.id,
        employer_id=employer.id,
        workplace_id=workplace.id if workplace else None,
        task_id=task.id,
        start_date=date.fromisoformat(str(data["startdatum_werk"])),
        contract=data.get("contractvorm"),
        hours_per_week=float(hours) if hours is not None else None,
        created_at=now,
    )
    session.add(placement)
    session.flush()
    if workplace is not None and workplace.status == "open":
        workplace.status = "filled"
        workplace.filled_at = now
    record_registry_event(
        session,
        now,
        actor,
        "employer",
        employer.id,
        "placement_started",
        f"Plaatsing vanuit dossier {case.id} gestart",
        {"placement_id": placement.id, "case_id": case.id, "workplace_id": placement.workplace_id},
    )
    record(
        session,
        case,
        now,
        "placement_started",
        f"Geplaatst bij '{employer.name}'",
        actor,
        task,
        details={"placement_id": placement.id, "employer_id": employer.id},
    )
