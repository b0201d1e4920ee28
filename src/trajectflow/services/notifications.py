"""In-app notifications: created with their outgoing email in one transaction, listed and marked read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.cases import Actor
from ..domain.errors import Forbidden, NotFound
from ..settings import Settings
from ..store.models import Notification, OutgoingEmail, User
from .context import ServiceContext
from .messages import Message


class EmailStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def notify(
    session: Session,
    settings: Settings,
    user: User,
    kind: str,
    case_id: int,
    task_id: int | None,
    message: Message,
    link: str,
    now: datetime,
) -> Notification | None:
    """Store a notification for `user` and queue its email; None when this one was sent before."""
    if task_id is not None:
        existing = session.scalar(
            select(Notification.id).where(
                Notification.task_id == task_id, Notification.kind == kind, Notification.recipient == user.username
            )
        )
        if existing is not None:
            return None
    row = Notification(
        recipient=user.username,
        kind=kind,
        case_id=case_id,
        task_id=task_id,
        title=message.title[:300],
        body=message.body,
        link=link[:500],
        created_at=now,
    )
    session.add(row)
    session.flush()
    if user.email and settings.smtp_host:
        session.add(
            OutgoingEmail(
                notification_id=row.id,
                to_address=user.email,
                subject=message.title[:300],
                body=message.body,
                status=EmailStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return row


def _as_dict(row: Notification, email: OutgoingEmail | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "case_id": row.case_id,
        "task_id": row.task_id,
        "title": row.title,
        "body": row.body,
        "link": row.link,
        "created_at": row.created_at,
        "read_at": row.read_at,
        "email": None
        if email is None
        else {
            "status": email.status,
            "attempts": email.attempts,
            "last_error": email.last_error,
            "sent_at": email.sent_at,
        },
    }


def list_notifications(
    ctx: ServiceContext, actor: Actor, unread_only: bool = False, limit: int = 100
) -> dict[str, Any]:
    with ctx.uow(write=False) as uow:
        query = (
            select(Notification, OutgoingEmail)
            .outerjoin(OutgoingEmail, OutgoingEmail.notification_id == Notification.id)
            .where(Notification.recipient == actor.username)
        )
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        rows = uow.session.execute(query.order_by(Notification.id.desc()).limit(limit)).all()
        unread = uow.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.recipient == actor.username, Notification.read_at.is_(None)
            )
        )
        return {"items": [_as_dict(n, e) for n, e in rows], "unread": unread or 0}


def mark_read(ctx: ServiceContext, actor: Actor, notification_id: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        row = uow.session.get(Notification, notification_id)
        if row is None:
            raise NotFound(f"notification {notification_id} not found", {"notification_id": notification_id})
        if row.recipient != actor.username:
            raise Forbidden(f"notification {notification_id} is not yours")
        if row.read_at is None:
            row.read_at = ctx.clock.now()
        email = uow.session.scalar(select(OutgoingEmail).where(OutgoingEmail.notification_id == row.id))
        uow.commit()
        return _as_dict(row, email)


def set_contact(ctx: ServiceContext, username: str, email: str | None, language: str | None = None) -> None:
    """Set a user's email address (when none is set yet) and language."""
    with ctx.uow() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user '{username}' not found")
        if email and not user.email:
            user.email = email
        if language in ("nl", "en"):
            user.language = language
        uow.commit()
