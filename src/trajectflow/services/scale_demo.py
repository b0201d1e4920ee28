"""`trajectflow demo --scale N`: N generated cases in bulk, for query latency at production size.

The demo cases (services/demo.py) are started for real first; they are the templates. Every
generated active case is a copy of one template: its engine state, data, phase, route, open tasks
and waiting timers, so a generated case deserialises and can be stepped like the original. Around
that each case gets a client of its own, a history of completed tasks (about `tasks_per_case`
tasks in all) with their events, and its own dates: started over the last three years, open tasks
due from a month ago to two months ahead (so some are overdue), some idle for weeks. A share of the
cases is closed, suspended or errored. Rows go in with COPY on PostgreSQL (executemany on SQLite).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..domain.cases import CLOSED_PHASE, CaseStatus, TaskStatus
from ..domain.municipalities import MUNICIPALITIES
from ..domain.organisations import handling_organisation
from ..domain.roles import CASEWORK_ROLES
from ..store.bulk import BulkWriter
from .context import ServiceContext
from .scale_templates import TaskShape, load_templates

FIRST_NAMES = (
    "Anna",
    "Bram",
    "Chantal",
    "Daan",
    "Esra",
    "Fatima",
    "Gerrit",
    "Henk",
    "Iris",
    "Joost",
    "Karin",
    "Lars",
    "Mohamed",
    "Noor",
    "Otto",
    "Priya",
    "Quinten",
    "Rosa",
    "Sem",
    "Tessa",
    "Youssef",
    "Zoë",
)
LAST_NAMES = (
    "de Vries",
    "Janssen",
    "Peters",
    "Hendriks",
    "Yilmaz",
    "El Amrani",
    "Smeets",
    "Willems",
    "Coenen",
    "Maes",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Vos",
    "Dekker",
    "Jacobs",
)
CASEWORKERS_PER_ROLE = 40
# Shares of generated cases by status; the rest is active.
CLOSED_SHARE, SUSPENDED_SHARE, ERRORED_SHARE = 0.15, 0.02, 0.01
BSN_OFFSET = 20_000_000  # generated BSNs start at 2000000xx, clear of the demo's test numbers

CLIENT_COLUMNS = ("id", "bsn", "name", "birth_date", "municipality", "created_at")
CASE_COLUMNS = (
    "id",
    "client_id",
    "municipality",
    "process_version_id",
    "status",
    "phase",
    "route",
    "engine_state",
    "data",
    "lock_version",
    "error_element",
    "error_task",
    "error_message",
    "started_at",
    "updated_at",
    "closed_at",
    "started_by",
    "organisation",
)
TASK_COLUMNS = (
    "id",
    "case_id",
    "engine_task_id",
    "process_id",
    "element_id",
    "name",
    "form",
    "role",
    "phase",
    "assignee",
    "status",
    "created_at",
    "due_at",
    "follow_up_at",
    "alert_stage",
    "next_alert_at",
    "completed_at",
    "completed_by",
    "submitted_data",
)
EVENT_COLUMNS = ("id", "case_id", "at", "actor", "kind", "task_id", "element_id", "message", "details")
TIMER_COLUMNS = ("id", "case_id", "engine_task_id", "process_id", "element_id", "due_at")


@dataclass
class ScaleSummary:
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        counts = ", ".join(f"{n:,} {table}" for table, n in self.rows.items())
        return (
            f"demo --scale: {self.cases:,} cases generated ({counts}) in {self.seconds:.1f}s, "
            f"{self.rows_per_second:,.0f} rows/s"
        )


def valid_bsn(number: int) -> str:
    """A nine-digit BSN (11-proef) of its own for every `number` < 10,000,000."""
    digits = f"{BSN_OFFSET + number:08d}"
    check = _check_digit(digits)
    if check == 10:
        # Leading 2 → 3 adds 9 to the weighted sum (check 8); 3xxxxxxxx prefixes are used for nothing else.
        digits = f"{BSN_OFFSET + 10_000_000 + number:08d}"
        check = _check_digit(digits)
    return digits + str(check)


def _check_digit(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11


def caseworker(role: str, number: int) -> str:
    """Caseworker names per role; number 0 is the role's demo user (`klantmanager` …)."""
    return role if number == 0 else f"{role}_{number:02d}"


class _Generator:
    """Rows for one batch of cases at a time; ids continue from what the tables hold."""

    def __init__(self, ctx: ServiceContext, writer: BulkWriter, tasks_per_case: int, seed: int) -> None:
        self.now = ctx.clock.now()
        self.random = random.Random(seed)
        self.templates, self.history = load_templates(ctx)
        self.tasks_per_case = tasks_per_case
        self.ids = {table: writer.next_id(table) for table in ("clients", "cases", "tasks", "case_events", "timers")}
        self.municipalities = sorted(MUNICIPALITIES)
        self.roles = sorted(CASEWORK_ROLES)

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def batch(self, count: int) -> dict[str, list[tuple[Any, ...]]]:
        rows: dict[str, list[tuple[Any, ...]]] = {
            "clients": [],
            "cases": [],
            "tasks": [],
            "case_events": [],
            "timers": [],
        }
        for _ in range(count):
            self._case(rows)
        return rows

    def _case(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        rnd, now = self.random, self.now
        client_id, case_id = self._id("clients"), self._id("cases")
        municipality = rnd.choice(self.municipalities)
        started = now - timedelta(days=rnd.uniform(1, 3 * 365))
        rows["clients"].append(
            (
                client_id,
                valid_bsn(client_id),
                f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}",
                date(rnd.randint(1960, 2006), rnd.randint(1, 12), rnd.randint(1, 28)),
                municipality,
                started,
            )
        )
        template = rnd.choice(self.templates)
        draw = rnd.random()
        status = (
            CaseStatus.COMPLETED
            if draw < CLOSED_SHARE
            else CaseStatus.SUSPENDED
            if draw < CLOSED_SHARE + SUSPENDED_SHARE
            else CaseStatus.ERRORED
            if draw < CLOSED_SHARE + SUSPENDED_SHARE + ERRORED_SHARE
            else CaseStatus.ACTIVE
        )
        open_tasks = template.open_tasks if status != CaseStatus.COMPLETED else ()
        completed = max(self.tasks_per_case - len(open_tasks), 1)
        last = self._history(rows, case_id, started, completed)
        updated = min(last, now - timedelta(days=rnd.expovariate(1 / 10)))
        closed = last if status == CaseStatus.COMPLETED else None
        error = (
            ("diagnose", "diagnose_1", "script failed: name 'x' is not defined")
            if status == CaseStatus.ERRORED
            else (None, None, None)
        )
        rows["cases"].append(
            (
                case_id,
                client_id,
                municipality,
                template.process_version_id,
                status,
                CLOSED_PHASE if closed else template.phase,
                template.route,
                template.state,
                template.data,
                template.lock_version,
                *error,
                started,
                max(updated, started),
                closed,
                "klantmanager",
                handling_organisation(municipality, template.route),
            )
        )
        rows["case_events"].append(
            (
                self._id("case_events"),
                case_id,
                started,
                "klantmanager",
                "case_started",
                None,
                None,
                "case started",
                None,
            )
        )
        for shape in open_tasks:
            self._open_task(rows, case_id, shape, updated)
        if status == CaseStatus.ACTIVE:
            for timer in template.timers:
                due = now + timedelta(days=rnd.uniform(1, 60))
                rows["timers"].append(
                    (self._id("timers"), case_id, timer.engine_task_id, timer.process_id, timer.element_id, due)
                )

    def _history(self, rows: dict[str, list[tuple[Any, ...]]], case_id: int, started: datetime, count: int) -> datetime:
        """Completed tasks spread from the start of the case to (at most) now; the last completion time."""
        rnd = self.random
        step = (self.now - started) / (count + 1)
        at = started
        for _ in range(count):
            shape = rnd.choice(self.history)
            created, at = at, at + step * rnd.uniform(0.5, 1.0)
            task_id = self._id("tasks")
            worker = caseworker(shape.role or "klantmanager", rnd.randrange(CASEWORKERS_PER_ROLE))
            rows["tasks"].append(
                (
                    task_id,
                    case_id,
                    f"hist-{task_id}",
                    shape.process_id,
                    shape.element_id,
                    shape.name,
                    shape.form,
                    shape.role,
                    shape.phase,
                    worker,
                    TaskStatus.COMPLETED,
                    created,
                    created + timedelta(days=10),
                    None,
                    0,
                    None,
                    at,
                    worker,
                    shape.submitted_data,
                )
            )
            rows["case_events"].append(
                (
                    self._id("case_events"),
                    case_id,
                    at,
                    worker,
                    "task_completed",
                    task_id,
                    shape.element_id,
                    f"{shape.name} completed",
                    None,
                )
            )
        return at

    def _open_task(self, rows: dict[str, list[tuple[Any, ...]]], case_id: int, shape: TaskShape, at: datetime) -> None:
        rnd = self.random
        role = shape.role or "klantmanager"
        assignee = caseworker(role, rnd.randrange(CASEWORKERS_PER_ROLE)) if rnd.random() < 0.6 else None
        due = self.now + timedelta(days=rnd.uniform(-30, 60))
        rows["tasks"].append(
            (
                self._id("tasks"),
                case_id,
                shape.engine_task_id,
                shape.process_id,
                shape.element_id,
                shape.name,
                shape.form,
                shape.role,
                shape.phase,
                assignee,
                TaskStatus.OPEN,
                at,
                due,
                None,
                0,
                due - timedelta(days=2),
                None,
                None,
                None,
            )
        )


def load_scale_demo(
    ctx: ServiceContext,
    cases: int,
    tasks_per_case: int = 20,
    batch_size: int = 2000,
    seed: int = 7,
    progress: Callable[[ScaleSummary], None] | None = None,
) -> ScaleSummary:
    """Generate `cases` cases (with clients, tasks, events, timers) in bulk; report rows per second."""
    summary = ScaleSummary()
    engine = ctx.uow.engine
    with BulkWriter(engine) as writer:
        generator = _Generator(ctx, writer, tasks_per_case, seed)
        started = time.perf_counter()
        columns = {
            "clients": CLIENT_COLUMNS,
            "cases": CASE_COLUMNS,
            "tasks": TASK_COLUMNS,
            "case_events": EVENT_COLUMNS,
            "timers": TIMER_COLUMNS,
        }
        while summary.cases < cases:
            count = min(batch_size, cases - summary.cases)
            for table, rows in generator.batch(count).items():
                summary.rows[table] = summary.rows.get(table, 0) + writer.write(table, columns[table], rows)
            summary.cases += count
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(summary)
        writer.finish()
        summary.seconds = time.perf_counter() - started
    return summary
