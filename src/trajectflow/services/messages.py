"""The text of reminders, due notices and escalations: Dutch by default, English per user setting.

Messages name the case (number, process, municipality) and the task and link to the task page;
they never carry the client's name, BSN or form data, because email leaves our systems.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.deadlines import LOCAL, AlertStage
from ..domain.municipalities import MUNICIPALITIES


@dataclass(frozen=True)
class AlertFacts:
    stage: int
    case_id: int
    process_name: str
    municipality: str
    task_name: str
    due_at: datetime
    days_late: int
    link: str


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def _case_label(facts: AlertFacts, language: str) -> str:
    place = MUNICIPALITIES.get(facts.municipality, facts.municipality)
    word = "case" if language == "en" else "zaak"
    return f"{word} {facts.case_id} ({facts.process_name}, {place})"


def compose(facts: AlertFacts, language: str = "nl") -> Message:
    due = facts.due_at.astimezone(LOCAL).strftime("%d-%m-%Y")
    case = _case_label(facts, language)
    task = facts.task_name
    if language == "en":
        title, lead = {
            AlertStage.REMINDER: (
                f"Reminder: '{task}' is due on {due}",
                f"The task '{task}' of {case} is due on {due}.",
            ),
            AlertStage.DUE: (f"Due today: '{task}'", f"The task '{task}' of {case} is due today ({due})."),
            AlertStage.ESCALATION: (
                f"Escalation: '{task}' is {facts.days_late} working days overdue",
                f"The task '{task}' of {case} was due on {due} and is still open after {facts.days_late} working days.",
            ),
        }[facts.stage]
        footer = f"Open the task: {facts.link}\n\nThis message was sent by trajectflow."
    else:
        title, lead = {
            AlertStage.REMINDER: (
                f"Herinnering: '{task}' moet af op {due}",
                f"De taak '{task}' van {case} moet uiterlijk {due} zijn afgerond.",
            ),
            AlertStage.DUE: (
                f"Vandaag uiterste datum: '{task}'",
                f"De taak '{task}' van {case} moet vandaag ({due}) af.",
            ),
            AlertStage.ESCALATION: (
                f"Escalatie: '{task}' is {facts.days_late} werkdagen te laat",
                f"De taak '{task}' van {case} moest op {due} af en staat na {facts.days_late} werkdagen nog open.",
            ),
        }[facts.stage]
        footer = f"Open de taak: {facts.link}\n\nDit bericht is verstuurd door trajectflow."
    return Message(title, f"{lead}\n\n{footer}\n")
