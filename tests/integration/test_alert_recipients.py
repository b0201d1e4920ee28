"""Reminders and escalations reach only people who may see the case (tenancy), even though the scheduler
sends them outside any request: a candidate group or the teamleiders of another organisation hear nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.conftest import ROOT
from tests.e2e import answers as a
from tests.integration.flow import CaseFlow
from trajectflow.domain.deadlines import LOCAL
from trajectflow.services.alerts import send_task_alerts
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.users import ensure_user
from trajectflow.store.models import Notification

# username: (roles, organisation, municipality)
STAFF = {
    "km-werkbedrijf": (["klantmanager"], "werkbedrijf-roermond", None),
    "tl-werkbedrijf": (["teamleider"], "werkbedrijf-roermond", None),
    "km-laborijn": (["klantmanager"], "laborijn", None),
    "tl-laborijn": (["teamleider"], "laborijn", None),
    "km-gemeente-leudal": (["klantmanager"], None, "leudal"),
    "km-nergens": (["klantmanager"], None, None),  # neither organisation nor municipality: sees no case at all
    "tl-nergens": (["teamleider"], None, None),
}
BSN = {"roermond": "111222333", "leudal": "123456782", "oude-ijsselstreek": "100000022"}


def _local(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LOCAL).astimezone(UTC)


def _recipients(ctx, case_id: int) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Notification.kind, Notification.recipient).where(Notification.case_id == case_id)
        )
        found: dict[str, set[str]] = {}
        for kind, recipient in rows:
            found.setdefault(kind, set()).add(recipient)
        return found


def test_reminders_and_escalations_stay_within_who_may_see_the_case(ctx, clock):
    for username, (roles, organisation, municipality) in STAFF.items():
        ensure_user(ctx, username, roles, None, username, organisation=organisation, municipality=municipality)
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    clock.set(_local(2026, 3, 30, 9))
    cases = {}
    for municipality, bsn in BSN.items():
        flow = CaseFlow.start(ctx, bsn, date(1984, 3, 12), municipality)
        flow.complete("aanvraag_beoordelen", a.AANV_OK)  # the intake task (klantmanager) is due on 14 April
        cases[municipality] = flow.case_id
    clock.set(_local(2026, 4, 10, 7))  # reminder: two working days before the due date
    assert send_task_alerts(ctx) == 3
    clock.set(_local(2026, 4, 20, 7))  # escalation: three working days late
    assert send_task_alerts(ctx) == 3

    assert _recipients(ctx, cases["roermond"]) == {"reminder": {"km-werkbedrijf"}, "escalation": {"tl-werkbedrijf"}}
    # Leudal buys Werkbedrijf Roermond's services: its staff and the municipality's own klantmanager are told.
    assert _recipients(ctx, cases["leudal"]) == {
        "reminder": {"km-werkbedrijf", "km-gemeente-leudal"},
        "escalation": {"tl-werkbedrijf"},
    }
    assert _recipients(ctx, cases["oude-ijsselstreek"]) == {"reminder": {"km-laborijn"}, "escalation": {"tl-laborijn"}}
