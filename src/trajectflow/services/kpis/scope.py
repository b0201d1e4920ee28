"""What every KPI shares: the filter (period, municipality, organisation, programme) and how answers
given in forms are found (by field name, in every form that has the field)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ...domain.cases import TaskStatus
from ...domain.errors import NotFound, ValidationFailed
from ...domain.organisations import ORGANISATIONS
from ...store.models import Case, ProcessVersion, ProgrammeEnrolment, Task

EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class KpiFilter:
    start: date
    end: date  # inclusive
    municipality: str | None = None
    organisation: str | None = None
    programme: int | None = None
    as_of: datetime | None = None  # "now" for snapshot KPIs (caseload, overdue); defaults to the period end

    def bounds(self) -> tuple[datetime, datetime]:
        if self.end < self.start:
            raise ValidationFailed("the period ends before it starts", {"end": ["before start"]})
        start = datetime.combine(self.start, time.min, tzinfo=UTC)
        return start, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def now(self) -> datetime:
        return self.as_of or self.bounds()[1]

    def since_ever(self) -> KpiFilter:
        return KpiFilter(EARLIEST, self.end, self.municipality, self.organisation, self.programme, self.as_of)


@dataclass
class KpiTable:
    key: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = "bar"  # how the page draws it: first column labels, the other numeric columns values

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "columns": self.columns, "rows": self.rows, "chart": self.chart}


def organisation_condition(code: str) -> Any:
    """Cases handled by the organisation: its municipalities, and its routes if it is specialised."""
    org = ORGANISATIONS.get(code)
    if org is None:
        raise NotFound(f"unknown organisation '{code}'", {"organisation": code, "known": sorted(ORGANISATIONS)})
    condition: Any = Case.municipality.in_(sorted(org.municipalities))
    if org.routes:
        return and_(condition, Case.route.in_(sorted(org.routes)))
    specialised = sorted(
        {
            route
            for other in ORGANISATIONS.values()
            if other.routes and set(other.municipalities) & set(org.municipalities)
            for route in other.routes
        }
    )
    if specialised:
        condition = and_(condition, or_(Case.route.is_(None), Case.route.not_in(specialised)))
    return condition


def scoped(query: Any, flt: KpiFilter) -> Any:
    """Restrict a query that involves `Case` to the filter's municipality, organisation and programme."""
    if flt.municipality:
        query = query.where(Case.municipality == flt.municipality)
    if flt.organisation:
        query = query.where(organisation_condition(flt.organisation))
    if flt.programme is not None:
        enrolled = select(ProgrammeEnrolment.case_id).where(ProgrammeEnrolment.programme_id == flt.programme)
        query = query.where(Case.id.in_(enrolled))
    return query


def forms_with(session: Session, field_name: str) -> list[str]:
    names: set[str] = set()
    for (forms,) in session.execute(select(ProcessVersion.forms)):
        for name, schema in (forms or {}).items():
            if isinstance(schema, dict) and field_name in schema.get("properties", {}):
                names.add(name)
    return sorted(names)


def answers(session: Session, flt: KpiFilter, field_name: str) -> list[tuple[int, Any, datetime]]:
    """(case id, answer, completed at) of completed tasks in the period whose form has `field_name`."""
    start, end = flt.bounds()
    forms = forms_with(session, field_name)
    if not forms:
        return []
    # On PostgreSQL only the one field leaves the database, not whole submissions. SQLite's
    # json_extract turns true/false into 1/0, so there the submission is read whole.
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    column = Task.submitted_data[field_name] if on_postgresql else Task.submitted_data
    query = scoped(
        select(Task.case_id, column, Task.completed_at)
        .join(Case, Case.id == Task.case_id)
        .where(
            Task.status == TaskStatus.COMPLETED,
            Task.form.in_(forms),
            Task.completed_at >= start,
            Task.completed_at < end,
        )
        .order_by(Task.completed_at, Task.id),
        flt,
    )
    rows: Iterable[Any] = session.execute(query)
    if not on_postgresql:
        rows = ((case_id, data.get(field_name) if isinstance(data, dict) else None, at) for case_id, data, at in rows)
    return [(case_id, value, completed) for case_id, value, completed in rows if value is not None]
