"""History of the employer registry and programmes: every change leaves who, what, when and the values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import RegistryEvent


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
    rows = session.scalars(
        select(RegistryEvent)
        .where(RegistryEvent.subject_type == subject_type, RegistryEvent.subject_id == subject_id)
        .order_by(RegistryEvent.id)
    )
    return [{"at": e.at, "actor": e.actor, "kind": e.kind, "message": e.message, "details": e.details} for e in rows]
