"""What retention does to one batch of cases, inside the caller's transaction.

Anonymising keeps what statistics need and nothing that names or describes the client:
- the case keeps municipality, organisation, process version, status, phase, route and its dates; its
  process data and error text are emptied and its engine state is dropped (nothing reads the engine
  state of a closed case: the dossier's diagram and history come from the task and event rows);
- tasks keep names, roles, timings and who worked on them; of their submitted data only the answers the
  KPIs count stay (ladder rung, outflow reason, instruments …); drafts are removed;
- history events keep kind, time, actor and element; reasons and error texts are cut from their messages
  and details; notes keep author and time, not their text; employer plans keep dates and instruments;
- notifications about the case and their emails are removed; the employer's history keeps that a plan
  was evaluated, not the evaluation's text;
- a client none of whose cases is open or still within the term is renamed "geanonimiseerd", gets a
  placeholder instead of the BSN (`domain.bsn.anonymous_bsn`) and only the year of birth (1 January).
Deleting removes the case with every row that refers to it, and clients left without cases.
Audit records are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from ..domain.bsn import anonymous_bsn
from ..domain.cases import CaseStatus
from ..store.models import Case, CaseEvent, CaseNote, Client, Notification, OutgoingEmail, Task, TaskDraft, Timer
from ..store.registry_models import EmployerPlan, Placement, ProgrammeEnrolment, RegistryEvent

ANONYMISE = "anonymise"
DELETE = "delete"
ANONYMOUS_NAME = "geanonimiseerd"
REMOVED_TEXT = "[geanonimiseerd]"
CLOSED = (CaseStatus.COMPLETED, CaseStatus.CANCELLED)
_NO_SYNC = {"synchronize_session": False}
TASKS = cast(Table, Task.__table__)
EVENTS = cast(Table, CaseEvent.__table__)
REGISTRY_EVENTS = cast(Table, RegistryEvent.__table__)

# Answers the KPIs count (services/kpis): they stay so the reports of past periods keep their numbers.
STATISTICAL_FIELDS = frozenset(
    {
        "ladder_trede",
        "uitstroom_reden",
        "nog_uit_uitkering",
        "lks_toegekend",
        "jobcoach_uren_per_week",
        "proefplaatsing_startdatum",
        "ingezette_instrumenten",
        "werklocatie",
    }
)
# Counted by presence only: the text itself goes.
_PRESENCE_ONLY = frozenset({"werklocatie"})
# Event details that carry no personal data (route and phase changes feed the KPIs).
EVENT_DETAILS_KEPT = frozenset(
    {"route", "from", "to", "due_at", "next", "mode", "elements", "note_id", "plan_id", "placement_id"}
    | {"employer_id", "programme_id"}
)
EMPLOYER_EVENTS_ABOUT_CASES = ("plan_agreed", "plan_evaluated", "placement_started")
REGISTRY_DETAILS_KEPT = frozenset({"plan_id", "case_id", "placement_id", "workplace_id", "date"})
_REASON_SEPARATOR = " — reden: "  # how services/supervision.py appends a teamleider's reason
_FIXED_MESSAGES = {
    "case_errored": "Fout in de verwerking (tekst verwijderd)",
    "employer_plan_evaluated": "Trajectplan geëvalueerd",
}


def anonymise_cases(session: Session, case_ids: Sequence[int], cutoff: datetime, now: datetime) -> int:
    """Anonymise these closed cases; returns how many of their clients were anonymised with them."""
    session.execute(
        update(Case)
        .where(Case.id.in_(case_ids))
        .values(
            data={},
            engine_state=b"",
            error_element=None,
            error_task=None,
            error_message=None,
            anonymised_at=now,
            lock_version=Case.lock_version + 1,
        ),
        execution_options=_NO_SYNC,
    )
    task_ids = select(Task.id).where(Task.case_id.in_(case_ids)).scalar_subquery()
    session.execute(delete(TaskDraft).where(TaskDraft.task_id.in_(task_ids)), execution_options=_NO_SYNC)
    _remove_notifications(session, case_ids)
    session.execute(delete(Timer).where(Timer.case_id.in_(case_ids)), execution_options=_NO_SYNC)
    _scrub_task_data(session, case_ids)
    _scrub_events(session, case_ids)
    session.execute(
        update(CaseNote).where(CaseNote.case_id.in_(case_ids)).values(body=REMOVED_TEXT), execution_options=_NO_SYNC
    )
    session.execute(
        update(EmployerPlan)
        .where(EmployerPlan.case_id.in_(case_ids))
        .values(goals=REMOVED_TEXT, agreements=[], evaluations=[]),
        execution_options=_NO_SYNC,
    )
    _employer_history(session, case_ids, remove=False)
    return _anonymise_clients(session, _clients_of(session, case_ids), cutoff, now)


def delete_cases(session: Session, case_ids: Sequence[int], cutoff: datetime, now: datetime) -> int:
    """Delete these closed cases and every row that refers to them; returns how many clients went with them."""
    client_ids = _clients_of(session, case_ids)
    task_ids = select(Task.id).where(Task.case_id.in_(case_ids)).scalar_subquery()
    session.execute(delete(TaskDraft).where(TaskDraft.task_id.in_(task_ids)), execution_options=_NO_SYNC)
    _remove_notifications(session, case_ids)
    _employer_history(session, case_ids, remove=True)
    for model in (Timer, CaseEvent, CaseNote, Placement, ProgrammeEnrolment, EmployerPlan, Task):
        session.execute(delete(model).where(model.case_id.in_(case_ids)), execution_options=_NO_SYNC)
    session.execute(delete(Case).where(Case.id.in_(case_ids)), execution_options=_NO_SYNC)
    left_without_cases = [
        client_id
        for client_id in client_ids
        if session.scalar(select(Case.id).where(Case.client_id == client_id).limit(1)) is None
    ]
    if left_without_cases:
        session.execute(delete(Client).where(Client.id.in_(left_without_cases)), execution_options=_NO_SYNC)
    return len(left_without_cases)


def _clients_of(session: Session, case_ids: Sequence[int]) -> list[int]:
    return sorted(set(session.scalars(select(Case.client_id).where(Case.id.in_(case_ids)))))


def _remove_notifications(session: Session, case_ids: Sequence[int]) -> None:
    notification_ids = select(Notification.id).where(Notification.case_id.in_(case_ids)).scalar_subquery()
    session.execute(
        delete(OutgoingEmail).where(OutgoingEmail.notification_id.in_(notification_ids)), execution_options=_NO_SYNC
    )
    session.execute(delete(Notification).where(Notification.case_id.in_(case_ids)), execution_options=_NO_SYNC)


def _employer_history(session: Session, case_ids: Sequence[int], remove: bool) -> None:
    """The employers' histories about these cases: evaluations lose their text (anonymise), or the
    events about the cases' plans and placements go with them (delete)."""
    plans: dict[int, int] = dict(
        session.execute(select(EmployerPlan.id, EmployerPlan.employer_id).where(EmployerPlan.case_id.in_(case_ids)))
        .tuples()
        .all()
    )
    placements: dict[int, int] = dict(
        session.execute(select(Placement.id, Placement.employer_id).where(Placement.case_id.in_(case_ids)))
        .tuples()
        .all()
    )
    employers = set(plans.values()) | set(placements.values())
    if not employers:
        return
    events = session.execute(
        select(RegistryEvent.id, RegistryEvent.details).where(
            RegistryEvent.subject_type == "employer",
            RegistryEvent.subject_id.in_(sorted(employers)),
            RegistryEvent.kind.in_(EMPLOYER_EVENTS_ABOUT_CASES),
        )
    ).all()
    about = [
        (event_id, details)
        for event_id, details in events
        if isinstance(details, dict)
        and (set(case_ids) & {details.get("case_id")} or details.get("plan_id") in plans
             or details.get("placement_id") in placements)
    ]  # fmt: skip
    if remove:
        ids = [event_id for event_id, _details in about]
        if ids:
            session.execute(delete(RegistryEvent).where(RegistryEvent.id.in_(ids)), execution_options=_NO_SYNC)
        return
    changes = [
        {"row_id": event_id, "kept": {k: v for k, v in details.items() if k in REGISTRY_DETAILS_KEPT}}
        for event_id, details in about
        if set(details) - REGISTRY_DETAILS_KEPT
    ]
    _update_by_id(session, REGISTRY_EVENTS, changes, details=bindparam("kept"))


def statistical_answers(data: Any) -> dict[str, Any] | None:
    """The part of a task's submitted data that statistics need, without anything about the person."""
    if not isinstance(data, dict):
        return None
    kept: dict[str, Any] = {}
    for name, value in data.items():
        if name not in STATISTICAL_FIELDS or value is None:
            continue
        if name in _PRESENCE_ONLY:
            kept[name] = REMOVED_TEXT
        elif name == "ingezette_instrumenten" and isinstance(value, list):
            kept[name] = [{"instrument": item.get("instrument")} for item in value if isinstance(item, dict)]
        else:
            kept[name] = value
    return kept


def _scrub_task_data(session: Session, case_ids: Sequence[int]) -> None:
    rows = session.execute(select(Task.id, Task.submitted_data).where(Task.case_id.in_(case_ids))).all()
    changes = []
    for task_id, data in rows:
        kept = statistical_answers(data)
        if data is not None and kept != data:
            changes.append({"row_id": task_id, "kept": kept})
    _update_by_id(session, TASKS, changes, submitted_data=bindparam("kept"))


def _update_by_id(session: Session, table: Table, changes: list[dict[str, Any]], **values: Any) -> None:
    """One executemany UPDATE of `values` per row id (Core: the ORM's bulk path costs more per row)."""
    if changes:
        statement = update(table).where(table.c.id == bindparam("row_id")).values(**values)
        session.connection().execute(statement, changes)


def scrubbed_event(kind: str, message: str, details: dict[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    """An event's message and details without free text (reasons, error messages, evaluation outcomes)."""
    text = _FIXED_MESSAGES.get(kind) or message.split(_REASON_SEPARATOR, 1)[0]
    if not isinstance(details, dict):
        return text, None
    kept = {key: value for key, value in details.items() if key in EVENT_DETAILS_KEPT}
    return text, kept or None


def _scrub_events(session: Session, case_ids: Sequence[int]) -> None:
    rows = session.execute(
        select(CaseEvent.id, CaseEvent.kind, CaseEvent.message, CaseEvent.details).where(
            CaseEvent.case_id.in_(case_ids)
        )
    ).all()
    changes = []
    for event_id, kind, message, details in rows:
        text, kept = scrubbed_event(kind, message, details)
        if text != message or kept != details:
            changes.append({"row_id": event_id, "text": text, "kept": kept})
    _update_by_id(session, EVENTS, changes, message=bindparam("text"), details=bindparam("kept"))


def _anonymise_clients(session: Session, client_ids: list[int], cutoff: datetime, now: datetime) -> int:
    """Anonymise the clients none of whose cases is open or closed within the term."""
    still_needed = set(
        session.scalars(
            select(Case.client_id).where(
                Case.client_id.in_(client_ids),
                (Case.status.not_in(CLOSED)) | (Case.closed_at.is_(None)) | (Case.closed_at >= cutoff),
            )
        )
    )
    done = 0
    for client in session.scalars(
        select(Client).where(Client.id.in_(client_ids), Client.anonymised_at.is_(None)).order_by(Client.id)
    ):
        if client.id in still_needed:
            continue
        client.name = ANONYMOUS_NAME
        client.bsn = anonymous_bsn(client.id)
        client.birth_date = date(client.birth_date.year, 1, 1)
        client.anonymised_at = now
        done += 1
    session.flush()
    return done
