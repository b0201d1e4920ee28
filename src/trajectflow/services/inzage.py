"""Inzageverzoek (AVG art. 15): everything trajectflow stores about one client, for that client.

The export holds the client record with the full BSN (it is their own data), and per case its facts
and process data, history, tasks with the data submitted in them and saved drafts, notes, placements,
trajectplans with employers, programme enrolments and the notifications staff received about it.

Who may export: the klantmanager (the client's case owner, who answers the request) and the teamleider
(supervision). Not the functioneel beheerder: that role manages users, organisations and settings,
not case contents (DOMAIN.md). Tenancy applies as everywhere: a client of a municipality the caller
does not serve is not found, and cases in such municipalities are left out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.bsn import is_valid_bsn, normalise_bsn
from ..domain.cases import Actor
from ..domain.errors import Forbidden, NotFound, ValidationFailed
from ..store.models import Case, CaseEvent, CaseNote, Client, Notification, ProcessVersion, Task, TaskDraft
from ..store.registry_models import Employer, EmployerPlan, Placement, Programme, ProgrammeEnrolment
from .context import ServiceContext
from .loading import get_or_404

INZAGE_ROLES = frozenset({"klantmanager", "teamleider"})


def may_export_client_data(actor: Actor) -> bool:
    return bool(actor.roles & INZAGE_ROLES)


def require_inzage_role(actor: Actor) -> None:
    if not may_export_client_data(actor):
        raise Forbidden(
            "only a klantmanager or teamleider may export a client's data",
            {"required_role": sorted(INZAGE_ROLES), "roles": sorted(actor.roles)},
        )


def client_id_for_bsn(ctx: ServiceContext, bsn: str) -> int:
    number = normalise_bsn(bsn)
    if not is_valid_bsn(number):
        raise ValidationFailed("invalid BSN", {"bsn": ["not a valid BSN (11-proef)"]})
    with ctx.uow(write=False) as uow:
        client_id = uow.session.scalar(select(Client.id).where(Client.bsn == number))
    if client_id is None:
        raise NotFound("no client with this BSN", {"bsn": ["unknown"]})
    return client_id


def client_of_case(ctx: ServiceContext, case_id: int) -> int:
    with ctx.uow(write=False) as uow:
        return get_or_404(uow.session, Case, case_id, "case", "case_id").client_id


def client_export(ctx: ServiceContext, actor: Actor | None, client_id: int) -> dict[str, Any]:
    """Everything stored about the client (`actor` None: the system itself, e.g. the CLI)."""
    if actor is not None:
        require_inzage_role(actor)
    with ctx.uow(write=False) as uow:
        session = uow.session
        client = get_or_404(session, Client, client_id, "client", "client_id")
        rows = session.execute(
            select(Case, ProcessVersion.process_id, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(Case.client_id == client_id)
            .order_by(Case.id)
        ).all()
        case_ids = [case.id for case, _p, _v in rows]
        parts = _case_parts(session, case_ids)
        export = {
            "generated_at": ctx.clock.now(),
            "generated_by": actor.username if actor else "system",
            "client": {
                "id": client.id,
                "bsn": client.bsn,
                "name": client.name,
                "birth_date": client.birth_date,
                "municipality": client.municipality,
                "registered_at": client.created_at,
                "anonymised_at": client.anonymised_at,
            },
            "cases": [_case(case, process_id, version, parts) for case, process_id, version in rows],
        }
    return export


def _case(case: Case, process_id: str, version: int, parts: dict[str, dict[int, list[Any]]]) -> dict[str, Any]:
    return {
        "id": case.id,
        "municipality": case.municipality,
        "organisation": case.organisation,
        "process_id": process_id,
        "process_version": version,
        "status": case.status,
        "phase": case.phase,
        "route": case.route,
        "started_at": case.started_at,
        "closed_at": case.closed_at,
        "started_by": case.started_by,
        "anonymised_at": case.anonymised_at,
        "process_data": case.data,
        **{name: found.get(case.id, []) for name, found in parts.items()},
    }


def _case_parts(session: Session, case_ids: Sequence[int]) -> dict[str, dict[int, list[Any]]]:
    """Per kind (history, tasks …) the rows of each case, each read with one query for all cases."""
    parts: dict[str, dict[int, list[Any]]] = {
        name: defaultdict(list)
        for name in ("history", "tasks", "drafts", "notes", "placements", "employer_plans", "programmes")
    }
    parts["notifications"] = defaultdict(list)
    if not case_ids:
        return parts
    for e in session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).order_by(CaseEvent.id)):
        parts["history"][e.case_id].append({"at": e.at, "actor": e.actor, "kind": e.kind, "message": e.message})
    for t in session.scalars(select(Task).where(Task.case_id.in_(case_ids)).order_by(Task.id)):
        parts["tasks"][t.case_id].append(
            {
                "id": t.id,
                "name": t.name,
                "role": t.role,
                "status": t.status,
                "created_at": t.created_at,
                "due_at": t.due_at,
                "completed_at": t.completed_at,
                "completed_by": t.completed_by,
                "data": t.submitted_data,
            }
        )
    drafts = select(TaskDraft, Task.case_id, Task.name).join(Task, Task.id == TaskDraft.task_id)
    for d, case_id, task_name in session.execute(drafts.where(Task.case_id.in_(case_ids)).order_by(TaskDraft.id)):
        parts["drafts"][case_id].append({"task": task_name, "by": d.username, "saved_at": d.saved_at, "data": d.data})
    for n in session.scalars(select(CaseNote).where(CaseNote.case_id.in_(case_ids)).order_by(CaseNote.id)):
        parts["notes"][n.case_id].append({"at": n.created_at, "author": n.author, "body": n.body})
    _employment(session, case_ids, parts)
    notifications = select(Notification).where(Notification.case_id.in_(case_ids)).order_by(Notification.id)
    for m in session.scalars(notifications):
        parts["notifications"][m.case_id].append(
            {"at": m.created_at, "recipient": m.recipient, "kind": m.kind, "title": m.title, "body": m.body}
        )
    return parts


def _employment(session: Session, case_ids: Sequence[int], parts: dict[str, dict[int, list[Any]]]) -> None:
    placements = select(Placement, Employer.name).join(Employer, Employer.id == Placement.employer_id)
    for p, employer in session.execute(placements.where(Placement.case_id.in_(case_ids)).order_by(Placement.id)):
        parts["placements"][p.case_id].append(
            {
                "employer": employer,
                "start_date": p.start_date,
                "contract": p.contract,
                "hours_per_week": p.hours_per_week,
            }
        )
    plans = select(EmployerPlan, Employer.name).join(Employer, Employer.id == EmployerPlan.employer_id)
    for plan, employer in session.execute(plans.where(EmployerPlan.case_id.in_(case_ids)).order_by(EmployerPlan.id)):
        parts["employer_plans"][plan.case_id].append(
            {
                "employer": employer,
                "goals": plan.goals,
                "start_date": plan.start_date,
                "end_date": plan.end_date,
                "agreements": plan.agreements,
                "cost_sharing": plan.cost_sharing,
                "instruments": plan.instruments,
                "evaluations": plan.evaluations,
            }
        )
    enrolments = select(ProgrammeEnrolment, Programme.name).join(
        Programme, Programme.id == ProgrammeEnrolment.programme_id
    )
    query = enrolments.where(ProgrammeEnrolment.case_id.in_(case_ids)).order_by(ProgrammeEnrolment.id)
    for enrolment, programme in session.execute(query):
        parts["programmes"][enrolment.case_id].append({"programme": programme, "enrolled_at": enrolment.enrolled_at})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def export_json(export: dict[str, Any]) -> bytes:
    return json.dumps(export, default=_plain, ensure_ascii=False, indent=2).encode("utf-8")
