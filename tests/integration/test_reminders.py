"""Working-day due dates, reminders, due notices and escalation; in-app and over real SMTP (aiosmtpd)."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import ROOT
from tests.e2e import answers as a
from tests.integration.flow import CaseFlow
from trajectflow.domain.deadlines import LOCAL
from trajectflow.services.alerts import send_task_alerts
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.mail import MAX_ATTEMPTS, deliver_emails
from trajectflow.services.notifications import set_contact
from trajectflow.store.models import OutgoingEmail

BSN, NAME = "111222333", "Anna de Vries"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.refuse:
            return "451 4.3.0 mailbox busy, try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def mailbox():  # type: ignore[no-untyped-def]
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@pytest.fixture
def mailed(ctx, mailbox):  # type: ignore[no-untyped-def]
    ctx.settings = replace(ctx.settings, smtp_host="127.0.0.1", smtp_port=mailbox.port, base_url="https://tf.example")
    ensure_demo_users(ctx)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    return ctx


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL).astimezone(UTC)


def _intake_case(ctx, clock, start: datetime) -> tuple[CaseFlow, Any]:  # type: ignore[no-untyped-def]
    clock.set(start)
    flow = CaseFlow(ctx, CaseFlow.start(ctx, BSN, date(1984, 3, 12)).case_id)
    flow.complete("aanvraag_beoordelen", a.AANV_OK)
    return flow, flow.task("brede_intake")


def test_due_dates_count_working_days_across_easter_and_kings_day(mailed, clock):
    _, intake = _intake_case(mailed, clock, _local(2026, 3, 30, 9))  # intake: 10 working days
    assert intake.due_at.astimezone(LOCAL).date() == date(2026, 4, 14)  # Easter Monday 6 April skipped
    _, intake = _intake_case(mailed, clock, _local(2027, 4, 20, 9))
    assert intake.due_at.astimezone(LOCAL).date() == date(2027, 5, 5)  # Koningsdag Tuesday 27 April skipped


def test_reminder_due_notice_and_escalation_each_sent_once(mailed, clock, mailbox):
    set_contact(mailed, "teamleider", None, "en")
    flow, intake = _intake_case(mailed, clock, _local(2026, 3, 30, 9))
    steps = [
        (_local(2026, 4, 10, 7), "klantmanager@demo.trajectflow.local", "Herinnering"),  # 2 working days before
        (_local(2026, 4, 14, 7), "klantmanager@demo.trajectflow.local", "Vandaag uiterste datum"),
        (_local(2026, 4, 20, 7), "teamleider@demo.trajectflow.local", "Escalation"),  # after 3 working days late
    ]
    for moment, to, subject in steps:
        clock.set(moment - timedelta(minutes=1))
        assert send_task_alerts(mailed) == 0
        clock.set(moment)
        assert send_task_alerts(mailed) == 1
        assert send_task_alerts(mailed) == 0
        assert deliver_emails(mailed) == 1
        message = mailbox.messages[-1]
        assert message["To"] == to and message["Subject"].startswith(subject)
        body = message.get_payload(decode=True).decode()
        assert f"https://tf.example/taken/{intake.id}" in body
        assert "Brede intake" in body and f" {flow.case_id} (Participatietraject, Roermond)" in body
        assert BSN not in body + message["Subject"] and NAME not in body
    clock.set(_local(2026, 6, 1, 9))
    assert send_task_alerts(mailed) == 0 and deliver_emails(mailed) == 0
    assert len(mailbox.messages) == 3
    assert "working days overdue" in mailbox.messages[-1]["Subject"]


def test_notifications_api_lists_and_marks_read(mailed, clock, server):
    _intake_case(mailed, clock, _local(2026, 3, 30, 9))
    clock.set(_local(2026, 4, 10, 7))
    send_task_alerts(mailed)
    deliver_emails(mailed)
    listed = server.request("GET", "/api/notifications", user="klantmanager").json()
    assert listed["unread"] == 1
    (item,) = listed["items"]
    assert item["kind"] == "reminder" and item["email"]["status"] == "sent"
    assert server.request("POST", f"/api/notifications/{item['id']}/read", user="teamleider").status_code == 403
    read = server.request("POST", f"/api/notifications/{item['id']}/read", user="klantmanager")
    assert read.status_code == 200 and read.json()["read_at"]
    assert server.request("GET", "/api/notifications?unread=true", user="klantmanager").json() == {
        "items": [],
        "unread": 0,
    }
    assert server.request("GET", "/api/notifications", user="teamleider").json()["items"] == []
    assert server.request("POST", "/api/notifications/999999/read", user="klantmanager").status_code == 404


def test_refusing_smtp_server_is_retried_with_back_off(mailed, clock, mailbox):
    _intake_case(mailed, clock, _local(2026, 3, 30, 9))
    clock.set(_local(2026, 4, 10, 7))
    send_task_alerts(mailed)
    mailbox.refuse = True
    assert deliver_emails(mailed) == 0
    assert deliver_emails(mailed) == 0  # not before its retry time
    email = _emails(mailed)[0]
    assert (email.status, email.attempts) == ("pending", 1) and "451" in (email.last_error or "")
    assert email.next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(timedelta(seconds=30))
    assert deliver_emails(mailed) == 0
    assert _emails(mailed)[0].next_attempt_at == clock.now() + timedelta(seconds=60)
    mailbox.refuse = False
    clock.advance(timedelta(seconds=60))
    assert deliver_emails(mailed) == 1
    assert _emails(mailed)[0].status == "sent" and len(mailbox.messages) == 1


def test_unreachable_smtp_server_ends_in_a_visible_failed_state(mailed, clock, server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    mailed.settings = replace(mailed.settings, smtp_port=closed_port)
    _intake_case(mailed, clock, _local(2026, 3, 30, 9))
    clock.set(_local(2026, 4, 10, 7))
    send_task_alerts(mailed)
    for _ in range(MAX_ATTEMPTS):
        assert deliver_emails(mailed) == 0
        clock.advance(timedelta(hours=1))
    assert deliver_emails(mailed) == 0
    (email,) = _emails(mailed)
    assert (email.status, email.attempts) == ("failed", MAX_ATTEMPTS)
    item = server.request("GET", "/api/notifications", user="klantmanager").json()["items"][0]
    assert item["email"]["status"] == "failed" and item["email"]["last_error"]


def _emails(ctx) -> list[OutgoingEmail]:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        return list(uow.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))
