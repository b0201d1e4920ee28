"""Sending queued emails over SMTP, with retries and back-off; failures stay visible, never lost.

An email is claimed with a row lock, sent, and marked sent in the same transaction. When the
server refuses or cannot be reached, the attempt is counted and the next one is put off
(30 s, 1 min, 2 min … capped at 1 h); after MAX_ATTEMPTS the email is `failed` with the last
error, visible with its notification. A crash between sending and committing can send an email
twice, never zero times.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..settings import Settings
from ..store.models import OutgoingEmail
from .context import ServiceContext
from .notifications import EmailStatus

MAX_ATTEMPTS = 8
BATCH_SIZE = 50
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def deliver_emails(ctx: ServiceContext, now: datetime | None = None) -> int:
    """Try every queued email whose time has come; return how many were sent."""
    if not ctx.settings.smtp_host:
        return 0
    now = now or ctx.clock.now()
    sent = 0
    with ctx.uow() as uow:
        for email in _claim(uow.session, now):
            try:
                send_message(ctx.settings, email.to_address, email.subject, email.body)
            except (OSError, smtplib.SMTPException) as err:
                _failed_attempt(email, err, now)
            else:
                email.status, email.sent_at, email.last_error = EmailStatus.SENT, now, None
                email.attempts += 1
                sent += 1
            uow.session.flush()
        uow.commit()
    return sent


def _claim(session: Session, now: datetime) -> list[OutgoingEmail]:
    query = (
        select(OutgoingEmail)
        .where(OutgoingEmail.status == EmailStatus.PENDING, OutgoingEmail.next_attempt_at <= now)
        .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
        .limit(BATCH_SIZE)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _failed_attempt(email: OutgoingEmail, err: Exception, now: datetime) -> None:
    email.attempts += 1
    email.last_error = f"{type(err).__name__}: {err}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = EmailStatus.FAILED
    else:
        email.next_attempt_at = now + retry_delay(email.attempts)


def send_message(settings: Settings, to_address: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to_address
    message["Subject"] = subject
    message.set_content(body)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_tls == "ssl":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=10, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
