"""Notes (comments) caseworkers write on a case; each one is also a line in the case's timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..domain.cases import Actor
from ..domain.errors import ValidationFailed
from ..store.models import CaseNote
from .context import ServiceContext
from .loading import get_case
from .projection import record

MAX_NOTE_LENGTH = 5000


def add_note(ctx: ServiceContext, actor: Actor, case_id: int, body: str) -> int:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("a note cannot be empty", {"body": ["required"]})
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationFailed("note too long", {"body": [f"at most {MAX_NOTE_LENGTH} characters"]})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        case = get_case(uow.session, case_id)
        note = CaseNote(case_id=case.id, author=actor.username, body=body, created_at=now)
        uow.session.add(note)
        uow.session.flush()
        record(uow.session, case, now, "note_added", "Notitie toegevoegd", actor.username, details={"note_id": note.id})
        uow.commit()
        return note.id


def list_notes(ctx: ServiceContext, case_id: int) -> list[dict[str, Any]]:
    with ctx.uow(write=False) as uow:
        get_case(uow.session, case_id)
        rows = uow.session.scalars(select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id.desc()))
        return [{"id": n.id, "author": n.author, "body": n.body, "created_at": n.created_at} for n in rows]
