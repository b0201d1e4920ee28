"""Translated titles, column headers and values of the report tables (the services use plain keys)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

TITLES = {
    "inflow": _l("Inflow: new cases per month"),
    "outflow": _l("Outflow per reason"),
    "durable": _l("Outflow to work and durable outflow after 26 weeks"),
    "caseload": _l("Caseload per phase and route (now)"),
    "ladder": _l("Participation ladder: first against latest rung"),
    "throughput": _l("Throughput time per phase (days)"),
    "reintegration": _l("Re-integration trajectories ending in outflow"),
    "overdue": _l("Open and overdue tasks per role (now)"),
    "instruments": _l("Instruments deployed"),
    "municipalities": _l("Per municipality"),
    "billing": _l("Purchased services: trajectories per month"),
}

COLUMNS = {
    "month": _l("Month"),
    "cases": _l("Cases"),
    "reason": _l("Reason"),
    "measure": _l("Measure"),
    "value": _l("Value"),
    "phase": _l("Phase"),
    "route": _l("Route"),
    "movement": _l("Movement"),
    "phases_ended": _l("Phases ended"),
    "mean_days": _l("Mean days"),
    "median_days": _l("Median days"),
    "ended": _l("Ended"),
    "ended_in_outflow": _l("Ended in outflow"),
    "percentage": _l("Percentage"),
    "role": _l("Role"),
    "open_tasks": _l("Open tasks"),
    "overdue_tasks": _l("Overdue tasks"),
    "instrument": _l("Instrument"),
    "count": _l("Number"),
    "municipality": _l("Municipality"),
    "inflow": _l("Inflow"),
    "open_cases": _l("Open cases"),
    "outflow": _l("Outflow"),
    "outflow_to_work": _l("Outflow to work"),
    "organisation": _l("Organisation"),
    "started": _l("Started"),
    "active": _l("Active"),
    "case_id": _l("Case"),
    "start": _l("Start"),
    "end": _l("End"),
}

VALUES = {
    "outflow_to_work": _l("Outflow to work"),
    "checked_after_26_weeks": _l("Checked after 26 weeks"),
    "still_off_benefit": _l("Still off benefit"),
    "durable_percentage": _l("Durable outflow (%)"),
    "up": _l("Up"),
    "same": _l("Same"),
    "down": _l("Down"),
    "mean_steps": _l("Mean steps"),
    "total": _l("Total"),
    "loonkostensubsidie": _l("Wage-cost subsidy"),
    "jobcoach": _l("Job coach"),
    "beschut_werk": _l("Sheltered work places"),
    "werkervaringsplaats": _l("Work-experience placements"),
    "proefplaatsing": _l("Trial placements"),
}


def headers(columns: list[str]) -> list[str]:
    return [str(COLUMNS.get(c, c)) for c in columns]


def value_label(value: Any) -> Any:
    return str(VALUES[value]) if isinstance(value, str) and value in VALUES else value


def labelled_rows(rows: list[list[Any]]) -> list[list[Any]]:
    return [[value_label(row[0]), *row[1:]] if row else row for row in rows]
