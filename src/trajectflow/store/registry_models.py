"""Models of the employer registry and programmes: employers, workplaces, trajectplans with employers,
placements, programmes with their enrolments, and the history of changes to them.

Imported at the end of `models.py` so they share its metadata (and so Alembic sees them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UtcDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")  # as in models.py


class Employer(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kvk_number: Mapped[str] = mapped_column(String(8), unique=True)
    sector: Mapped[str | None] = mapped_column(String(100))
    municipality: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(200))
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Workplace(Base):
    """A workplace an employer offers; filled when a placement starts on it."""

    __tablename__ = "workplaces"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    requirements: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EmployerPlan(Base):
    """The doelgericht trajectplan agreed with an employer for one case."""

    __tablename__ = "employer_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplaces.id"))
    task_id: Mapped[int | None] = mapped_column(BigId)
    goals: Mapped[str] = mapped_column(Text)
    agreements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    cost_sharing: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    instruments: Mapped[list[str]] = mapped_column(JSON)
    evaluations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str | None] = mapped_column(String(100))


class Placement(Base):
    """A client starting work with an employer (recorded when `plaatsing_starten` completes)."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplaces.id"))
    task_id: Mapped[int | None] = mapped_column(BigId)
    start_date: Mapped[date] = mapped_column(Date)
    contract: Mapped[str | None] = mapped_column(String(50))
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Programme(Base):
    """A programme such as Meedoen Werkt: period, municipalities, targets and who may enrol."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    municipalities: Mapped[list[str]] = mapped_column(JSON)
    target_residents_to_work: Mapped[int] = mapped_column(Integer)
    target_employers_with_workplace: Mapped[int] = mapped_column(Integer)
    enrolment_rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str | None] = mapped_column(String(100))


class ProgrammeEnrolment(Base):
    __tablename__ = "programme_enrolments"
    __table_args__ = (UniqueConstraint("programme_id", "case_id", name="uq_programme_enrolments_programme_case"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    enrolled_by: Mapped[str | None] = mapped_column(String(100))


class RegistryEvent(Base):
    """History of employers, workplaces, plans and programmes: who changed what, when."""

    __tablename__ = "registry_events"
    __table_args__ = (Index("ix_registry_events_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str | None] = mapped_column(String(100))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
