"""Due dates, follow-up dates and the reminder/escalation schedule of a user task.

A due rule as process designers write it (`dueIn` on a user task):
- an ISO 8601 duration in calendar time, `P14D`, `P8W`, `P1M` — a due date that falls on a weekend,
  holiday or closing day moves to the next working day (as the Algemene termijnenwet does);
  a duration with a time part (`PT4H`) is an exact moment;
- working days, `10WD` or `10 werkdagen`;
- a municipality's policy deadline, `termijn:intake` (see POLICY_DEADLINES; each is one of the above).
Dates are taken in Dutch local time; a due date means "by the end of that day".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from .calendar import BusinessCalendar
from .durations import add_iso_duration, parse_iso_duration

LOCAL = ZoneInfo("Europe/Amsterdam")
ALERT_TIME = time(7, 0)
_WORKING_DAYS = re.compile(r"^\s*(\d+)\s*(?:wd|werkdag|werkdagen|working days?)\s*$", re.IGNORECASE)
POLICY_PREFIX = "termijn:"

# Policy deadlines (DOMAIN.md "Deadlines at a glance"), overridable per municipality. Statutory
# terms (zoekperiode, Awb decision and objection terms) are written into the processes themselves.
POLICY_DEADLINES: dict[str, str] = {
    "intake": "10WD",  # brede intake within 2 weeks
    "plan_van_aanpak": "20WD",  # plan van aanpak within 4 weeks
    "plan_evaluatie": "P6M",  # evaluate the plan (and measure the ladder) every 6 months
    "proefplaatsing": "P2M",  # default trial placement, 2-6 months
    "nazorg_1": "P1M",  # aftercare contacts 1, 3 and 6 months after placement
    "nazorg_3": "P2M",
    "nazorg_6": "P3M",
    "wachttijd_beschut_werk": "P12M",  # new beschut-werk request after a negative advice
}


class AlertStage:
    REMINDER = 0
    DUE = 1
    ESCALATION = 2
    DONE = 3
    KINDS = {REMINDER: "reminder", DUE: "due", ESCALATION: "escalation"}


def check_due_rule(text: str, policy: dict[str, str] | None = None) -> str | None:
    """A message when `text` is not a due rule, else None."""
    text = text.strip()
    if text.startswith(POLICY_PREFIX):
        name = text.removeprefix(POLICY_PREFIX)
        known = policy if policy is not None else POLICY_DEADLINES
        return None if name in known else f"unknown policy deadline '{name}' (known: {', '.join(sorted(known))})"
    if _WORKING_DAYS.match(text):
        return None
    try:
        parse_iso_duration(text)
    except ValueError:
        return f"'{text}' is not a due rule: write an ISO 8601 duration (P14D), working days (10WD) or termijn:<name>"
    return None


def resolve_policy(text: str, policy: dict[str, str]) -> str:
    text = text.strip()
    for _ in range(5):  # a policy value may itself name another policy deadline
        if not text.startswith(POLICY_PREFIX):
            return text
        name = text.removeprefix(POLICY_PREFIX)
        if name not in policy:
            raise ValueError(f"unknown policy deadline '{name}'")
        text = policy[name].strip()
    raise ValueError(f"policy deadline '{text}' refers to itself")


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), LOCAL)


def apply_due_rule(start: datetime, text: str, calendar: BusinessCalendar, policy: dict[str, str]) -> datetime:
    """The moment a task started at `start` is due under rule `text` (aware, in UTC terms comparable)."""
    rule = resolve_policy(text, policy)
    local_start = start.astimezone(LOCAL)
    match = _WORKING_DAYS.match(rule)
    if match:
        return end_of_day(calendar.add_working_days(local_start.date(), int(match.group(1))))
    parts = parse_iso_duration(rule)
    if any(parts.get(k) for k in ("hours", "minutes", "seconds")):
        return add_iso_duration(start, rule)
    day = add_iso_duration(local_start, rule).date()
    return end_of_day(calendar.next_working_day(day))


def due_from_value(value: object, start: datetime, calendar: BusinessCalendar, policy: dict[str, str]) -> datetime:
    """A due moment from what a `dueDate` expression gave: a date, a datetime, an ISO date or a due rule."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL)
    if isinstance(value, date):
        return end_of_day(calendar.next_working_day(value))
    if isinstance(value, str):
        try:
            return end_of_day(calendar.next_working_day(date.fromisoformat(value.strip())))
        except ValueError:
            return apply_due_rule(start, value, calendar, policy)
    raise ValueError(f"a due date expression gave {type(value).__name__}; expected a date or a due rule")


@dataclass(frozen=True)
class AlertPolicy:
    reminder_days: int = 2
    escalation_days: int = 3


def alert_moment(stage: int, due_at: datetime, calendar: BusinessCalendar, policy: AlertPolicy) -> datetime | None:
    """When to send `stage` for a task due at `due_at`: 07:00 local on a working day."""
    due_day = due_at.astimezone(LOCAL).date()
    if stage == AlertStage.REMINDER:
        if policy.reminder_days <= 0:
            return None
        day = calendar.add_working_days(due_day, -policy.reminder_days)
    elif stage == AlertStage.DUE:
        day = due_day
    elif stage == AlertStage.ESCALATION:
        # After N whole working days overdue: on the working day that follows them.
        day = calendar.add_working_days(due_day, policy.escalation_days + 1)
    else:
        return None
    return datetime.combine(day, ALERT_TIME, LOCAL)


def first_alert(
    created_at: datetime, due_at: datetime, calendar: BusinessCalendar, policy: AlertPolicy
) -> tuple[int, datetime | None]:
    """The first alert stage worth sending for a new task and its moment (a reminder already past is skipped)."""
    for stage in (AlertStage.REMINDER, AlertStage.DUE, AlertStage.ESCALATION):
        moment = alert_moment(stage, due_at, calendar, policy)
        if moment is not None and (moment > created_at or stage == AlertStage.ESCALATION):
            return stage, moment
    return AlertStage.DONE, None


def next_alert(
    stage: int, due_at: datetime, calendar: BusinessCalendar, policy: AlertPolicy
) -> tuple[int, datetime | None]:
    """The stage after `stage` that has a moment, and that moment."""
    following = stage + 1
    while following < AlertStage.DONE:
        moment = alert_moment(following, due_at, calendar, policy)
        if moment is None:
            following += 1
            continue
        return following, moment
    return AlertStage.DONE, None


def latest_due_stage(
    stage: int, due_at: datetime, now: datetime, calendar: BusinessCalendar, policy: AlertPolicy
) -> int:
    """After downtime several stages may be due at once: only the latest of them is worth sending."""
    latest = stage
    for later in range(stage + 1, AlertStage.DONE):
        moment = alert_moment(later, due_at, calendar, policy)
        if moment is not None and moment <= now:
            latest = later
    return latest


def working_days_late(due_at: datetime, now: datetime, calendar: BusinessCalendar) -> int:
    return max(0, calendar.working_days_between(due_at.astimezone(LOCAL).date(), now.astimezone(LOCAL).date()))


def policy_for(overrides: dict[str, str] | None) -> dict[str, str]:
    merged = dict(POLICY_DEADLINES)
    merged.update(overrides or {})
    return merged
