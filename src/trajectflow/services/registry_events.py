"""History of the employer registry and programmes: every change leaves who, what, when and the values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import Case, EmployerPlan, Placement, RegistryEvent
from ..store.tenancy import current_scope

# Details keys that name a case-owned row, and the row's model: events about rows of cases the caller
# may not see (another municipality) are left out of the history, or they would leak them.
_CASE_OWNED: dict[str, type[Case] | type[EmployerPlan] | type[Placement]] = {
    "case_id": Case,
    "plan_id": EmployerPlan,
    "placement_id": Placement,
}


def record_registry_event(
    session: Session,
    at: datetime,
    actor: str | None,
    subject_type: str,
    subject_id: int,
    kind: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        RegistryEvent(
            at=at,
            actor=actor,
            subject_type=subject_type,
            subject_id=subject_id,
            kind=kind,
            message=message[:500],
            details=details,
        )
    )


def registry_history(session: Session, subject_type: str, subject_id: int) -> list[dict[str, Any]]:
    """The subject's history, oldest first; within a request only events about cases the caller may see."""
    rows = list(
        session.scalars(
            select(RegistryEvent)
            .where(RegistryEvent.subject_type == subject_type, RegistryEvent.subject_id == subject_id)
            .order_by(RegistryEvent.id)
        )
    )
    if current_scope() is not None:
        visible = _visible_rows(session, rows)
        rows = [e for e in rows if _visible(e, visible)]
    return [{"at": e.at, "actor": e.actor, "kind": e.kind, "message": e.message, "details": e.details} for e in rows]


def _visible_rows(session: Session, events: list[RegistryEvent]) -> dict[str, set[int]]:
    """Per details key, the referenced ids the caller may see (the tenancy criteria filter the query)."""
    visible: dict[str, set[int]] = {}
    for key, model in _CASE_OWNED.items():
        ids = {e.details[key] for e in events if e.details and isinstance(e.details.get(key), int)}
        visible[key] = set(session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()
    return visible


def _visible(event: RegistryEvent, visible: dict[str, set[int]]) -> bool:
    details = event.details or {}
    return all(details[key] in visible[key] for key in _CASE_OWNED if isinstance(details.get(key), int))
