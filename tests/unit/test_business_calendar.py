"""The Dutch business calendar and due rules on working days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from trajectflow.cli import main
from trajectflow.domain.calendar import BusinessCalendar, LiberationDay, easter_sunday, kings_day
from trajectflow.domain.deadlines import (
    LOCAL,
    AlertPolicy,
    AlertStage,
    alert_moment,
    apply_due_rule,
    check_due_rule,
    first_alert,
    policy_for,
)

NL = BusinessCalendar()


def test_holidays_2026_and_2027():
    assert list(NL.holidays(2026).items()) == [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 5), "Eerste Paasdag"),
        (date(2026, 4, 6), "Tweede Paasdag"),
        (date(2026, 4, 27), "Koningsdag"),
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 24), "Eerste Pinksterdag"),
        (date(2026, 5, 25), "Tweede Pinksterdag"),
        (date(2026, 12, 25), "Eerste Kerstdag"),
        (date(2026, 12, 26), "Tweede Kerstdag"),
    ]
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert date(2027, 5, 6) in NL.holidays(2027)  # Hemelvaartsdag


def test_kings_day_moves_to_the_26th_when_the_27th_is_a_sunday():
    assert kings_day(2025) == date(2025, 4, 26)
    assert kings_day(2031) == date(2031, 4, 26)
    assert kings_day(2027) == date(2027, 4, 27)


def test_good_friday_and_liberation_day_are_configurable():
    assert date(2026, 4, 3) not in NL.holidays(2026)
    assert date(2026, 4, 3) in BusinessCalendar(good_friday=True).holidays(2026)
    assert date(2025, 5, 5) in NL.holidays(2025)  # lustrum year
    assert date(2026, 5, 5) not in NL.holidays(2026)
    assert date(2026, 5, 5) in BusinessCalendar(liberation_day=LiberationDay.EVERY_YEAR).holidays(2026)
    assert date(2030, 5, 5) not in BusinessCalendar(liberation_day=LiberationDay.NEVER).holidays(2030)


def test_working_days_skip_weekends_easter_and_kings_day():
    assert NL.add_working_days(date(2026, 3, 30), 10) == date(2026, 4, 14)  # over Easter Monday 6 April
    assert BusinessCalendar(good_friday=True).add_working_days(date(2026, 3, 30), 10) == date(2026, 4, 15)
    assert NL.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)  # Koningsdag Monday 27 April
    assert NL.add_working_days(date(2027, 3, 24), 10) == date(2027, 4, 8)  # Easter 2027
    assert NL.add_working_days(date(2027, 4, 20), 10) == date(2027, 5, 5)  # Koningsdag Tuesday 27 April
    assert NL.add_working_days(date(2026, 4, 14), -10) == date(2026, 3, 30)
    assert NL.working_days_between(date(2026, 3, 30), date(2026, 4, 14)) == 10


def test_closing_days_of_the_organisation_count_as_holidays():
    closed = BusinessCalendar(closing_days=frozenset({date(2026, 12, 24), date(2026, 12, 31)}))
    assert closed.holidays(2026)[date(2026, 12, 24)] == "Sluitingsdag"
    assert closed.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)


def test_due_rules():
    policy = policy_for({"intake": "5WD"})
    start = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday
    assert apply_due_rule(start, "10WD", NL, policy).date() == date(2026, 4, 14)
    assert apply_due_rule(start, "10 werkdagen", NL, policy).date() == date(2026, 4, 14)
    assert apply_due_rule(start, "termijn:intake", NL, policy).date() == date(2026, 4, 7)
    # A calendar term ending on Easter Monday moves to the next working day.
    assert apply_due_rule(start, "P7D", NL, policy).date() == date(2026, 4, 7)
    due = apply_due_rule(start, "P14D", NL, policy)
    assert due.astimezone(LOCAL).time().hour == 23  # by the end of the day
    assert apply_due_rule(start, "PT4H", NL, policy) == datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    assert check_due_rule("P14D") is None and check_due_rule("3WD") is None
    assert "unknown policy deadline" in (check_due_rule("termijn:bestaat_niet") or "")
    assert check_due_rule("veertien dagen") is not None


def test_alert_moments_fall_on_working_days():
    due = apply_due_rule(datetime(2026, 3, 30, 8, 0, tzinfo=UTC), "10WD", NL, policy_for(None))  # Tue 14 April
    policy = AlertPolicy(reminder_days=2, escalation_days=3)
    moments = [alert_moment(s, due, NL, policy) for s in (AlertStage.REMINDER, AlertStage.DUE, AlertStage.ESCALATION)]
    assert [m.date() for m in moments if m] == [date(2026, 4, 10), date(2026, 4, 14), date(2026, 4, 20)]
    created_late = datetime(2026, 4, 13, 8, 0, tzinfo=UTC)
    assert first_alert(created_late, due, NL, policy)[0] == AlertStage.DUE  # a reminder already past is skipped


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["calendar", "add", "2026-03-30", "10"], "2026-04-14"), (["calendar", "add", "2027-04-26", "1"], "2027-04-28")],
)
def test_cli_calendar_add(args, expected):
    result = CliRunner().invoke(main, args, env={"TRAJECTFLOW_LIBERATION_DAY": "lustrum"})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


def test_cli_calendar_holidays():
    result = CliRunner().invoke(main, ["calendar", "holidays", "2025"], env={"TRAJECTFLOW_GOOD_FRIDAY": "1"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2025-04-18  Fri  Goede Vrijdag" in lines
    assert "2025-04-26  Sat  Koningsdag" in lines
    assert "2025-05-05  Mon  Bevrijdingsdag" in lines
