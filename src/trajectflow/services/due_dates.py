"""Due and follow-up dates for a new user task, from its element metadata and the case.

Element properties (see docs/process-authoring.md): `dueIn` / `followUpIn` hold a due rule
(`P14D`, `10WD`, `termijn:intake`); `dueDate` / `followUpDate` hold a Python expression over the
case data (with the municipality's deadlines as `termijnen`) giving a date or a due rule.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from ..domain.deadlines import LOCAL, AlertStage, apply_due_rule, due_from_value, first_alert
from ..engine.scripting import evaluate_in_sandbox
from ..settings import Settings
from ..store.models import Task
from .deadline_policy import alert_policy, business_calendar, deadline_policy


def _moment(
    info: dict[str, Any], rule_key: str, expression_key: str, now: datetime, data: dict[str, Any], context: Any
) -> datetime | None:
    calendar, policy = context
    properties = info.get("properties") or {}
    expression = properties.get(expression_key)
    if expression:
        value = evaluate_in_sandbox(expression, {**data, "termijnen": policy})
        return due_from_value(value, now, calendar, policy)
    rule = info.get("due_in") if rule_key == "dueIn" else properties.get(rule_key)
    if rule:
        return apply_due_rule(now, rule, calendar, policy)
    return None


def schedule_task(
    task: Task, info: dict[str, Any], municipality: str, data: dict[str, Any], now: datetime, settings: Settings
) -> None:
    """Set due date, follow-up date and the first reminder of a task created at `now`.

    A due date expression that fails (missing data, wrong type) leaves the task without due date
    rather than stopping the case; the designer sees it in the task list.
    """
    calendar = business_calendar(settings, municipality)
    context = (calendar, deadline_policy(settings, municipality))
    try:
        task.due_at = _moment(info, "dueIn", "dueDate", now, data, context)
    except Exception:  # noqa: BLE001 - a due date must never stop the process
        task.due_at = None
    try:
        follow_up = _moment(info, "followUpIn", "followUpDate", now, data, context)
    except Exception:  # noqa: BLE001
        follow_up = None
    # A follow-up date means "look at it again from that day on": the start of the day.
    task.follow_up_at = (
        datetime.combine(follow_up.astimezone(LOCAL).date(), time(0, 0), LOCAL) if follow_up is not None else None
    )
    if task.due_at is None:
        task.alert_stage, task.next_alert_at = AlertStage.DONE, None
        return
    task.alert_stage, task.next_alert_at = first_alert(now, task.due_at, calendar, alert_policy(settings))
