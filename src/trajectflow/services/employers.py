"""The employer registry: employers with their contacts and the workplaces they offer.

Werkgeversadviseurs (and beheerders) change it; every caseworker may read it. Each change leaves a
registry event with the actor and the changed values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.cases import Actor
from ..domain.errors import Conflict, Forbidden, ValidationFailed
from ..domain.kvk import is_valid_kvk, normalise_kvk
from ..domain.municipalities import normalise_municipality
from ..store.models import Employer, Programme, Workplace
from .context import ServiceContext
from .loading import get_or_404
from .registry_events import record_registry_event

EMPLOYER_ROLES = frozenset({"werkgeversadviseur", "beheerder"})
WORKPLACE_STATUSES = ("open", "filled", "closed")


@dataclass(frozen=True)
class EmployerInput:
    name: str
    kvk_number: str
    sector: str | None = None
    municipality: str | None = None
    location: str | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class WorkplaceInput:
    description: str
    hours_per_week: float | None = None
    requirements: str | None = None
    programme_id: int | None = None


def require_employer_role(actor: Actor) -> None:
    if not actor.roles & EMPLOYER_ROLES:
        raise Forbidden(
            "only a werkgeversadviseur may change the employer registry",
            {"required_role": sorted(EMPLOYER_ROLES), "roles": sorted(actor.roles)},
        )


def checked_kvk(value: str) -> str:
    kvk = normalise_kvk(value)
    if not is_valid_kvk(kvk):
        raise ValidationFailed("invalid KvK number", {"kvk_number": ["a KvK number has exactly 8 digits"]})
    return kvk


def _checked(data: EmployerInput) -> dict[str, Any]:
    values = asdict(data)
    values["name"] = data.name.strip()
    if not values["name"]:
        raise ValidationFailed("give the employer's name", {"name": ["required"]})
    values["kvk_number"] = checked_kvk(data.kvk_number)
    if data.municipality:
        values["municipality"] = normalise_municipality(data.municipality)
        if values["municipality"] is None:
            raise ValidationFailed("unknown municipality", {"municipality": [f"'{data.municipality}' is not known"]})
    return values


def register_employer(ctx: ServiceContext, actor: Actor, data: EmployerInput) -> int:
    require_employer_role(actor)
    values = _checked(data)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        if session.scalar(select(Employer.id).where(Employer.kvk_number == values["kvk_number"])) is not None:
            raise Conflict("an employer with this KvK number is registered", {"kvk_number": values["kvk_number"]})
        employer = Employer(**values, created_at=now, created_by=actor.username, updated_at=now)
        session.add(employer)
        session.flush()
        record_registry_event(
            session,
            now,
            actor.username,
            "employer",
            employer.id,
            "employer_registered",
            f"Werkgever '{employer.name}' geregistreerd",
            values,
        )
        uow.commit()
        return employer.id


def update_employer(ctx: ServiceContext, actor: Actor, employer_id: int, data: EmployerInput) -> None:
    require_employer_role(actor)
    values = _checked(data)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        employer = get_employer(uow.session, employer_id)
        other = uow.session.scalar(select(Employer.id).where(Employer.kvk_number == values["kvk_number"]))
        if other not in (None, employer_id):
            raise Conflict("another employer has this KvK number", {"kvk_number": values["kvk_number"]})
        changed = {k: v for k, v in values.items() if getattr(employer, k) != v}
        if not changed:
            return
        for key, value in changed.items():
            setattr(employer, key, value)
        employer.updated_at = now
        record_registry_event(
            uow.session,
            now,
            actor.username,
            "employer",
            employer_id,
            "employer_changed",
            f"Werkgever '{employer.name}' gewijzigd: {', '.join(sorted(changed))}",
            changed,
        )
        uow.commit()


def add_workplace(ctx: ServiceContext, actor: Actor, employer_id: int, data: WorkplaceInput) -> int:
    require_employer_role(actor)
    description = data.description.strip()
    if not description:
        raise ValidationFailed("describe the workplace", {"description": ["required"]})
    if data.hours_per_week is not None and not 0 < data.hours_per_week <= 40:
        raise ValidationFailed("hours per week out of range", {"hours_per_week": ["between 1 and 40"]})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        employer = get_employer(uow.session, employer_id)
        if data.programme_id is not None and uow.session.get(Programme, data.programme_id) is None:
            raise ValidationFailed("unknown programme", {"programme_id": [f"programme {data.programme_id} not found"]})
        workplace = Workplace(
            employer_id=employer.id,
            programme_id=data.programme_id,
            description=description,
            hours_per_week=data.hours_per_week,
            requirements=data.requirements,
            status="open",
            created_at=now,
        )
        uow.session.add(workplace)
        uow.session.flush()
        record_registry_event(
            uow.session,
            now,
            actor.username,
            "employer",
            employer.id,
            "workplace_added",
            f"Werkplek '{description}' toegevoegd",
            {"workplace_id": workplace.id, **asdict(data)},
        )
        uow.commit()
        return workplace.id


def set_workplace_status(ctx: ServiceContext, actor: Actor, workplace_id: int, status: str) -> None:
    require_employer_role(actor)
    if status not in WORKPLACE_STATUSES:
        raise ValidationFailed("unknown status", {"status": [f"one of {', '.join(WORKPLACE_STATUSES)}"]})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        workplace = get_workplace(uow.session, workplace_id)
        if workplace.status == status:
            return
        previous, workplace.status = workplace.status, status
        workplace.filled_at = now if status == "filled" else None
        record_registry_event(
            uow.session,
            now,
            actor.username,
            "employer",
            workplace.employer_id,
            "workplace_status",
            f"Werkplek '{workplace.description}': {previous} → {status}",
            {"workplace_id": workplace_id, "from": previous, "to": status},
        )
        uow.commit()


def get_employer(session: Session, employer_id: int) -> Employer:
    return get_or_404(session, Employer, employer_id, "employer", "employer_id")


def get_workplace(session: Session, workplace_id: int) -> Workplace:
    return get_or_404(session, Workplace, workplace_id, "workplace", "workplace_id")


def list_employers(ctx: ServiceContext, search: str | None = None, municipality: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    """Employers with their number of open workplaces, by name."""
    open_places = (
        select(Workplace.employer_id, func.count().label("open"))
        .where(Workplace.status == "open")
        .group_by(Workplace.employer_id)
        .subquery()
    )
    query = select(Employer, func.coalesce(open_places.c.open, 0)).outerjoin(
        open_places, open_places.c.employer_id == Employer.id
    )
    if search:
        term = search.strip()
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(or_(Employer.name.ilike(f"%{escaped}%", escape="\\"), Employer.kvk_number == term))
    if municipality:
        query = query.where(Employer.municipality == municipality)
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(query.order_by(Employer.name, Employer.id)).all()
        return [{**employer_dict(e), "open_workplaces": int(n)} for e, n in rows]


def employer_dict(employer: Employer) -> dict[str, Any]:
    return {
        "id": employer.id,
        "name": employer.name,
        "kvk_number": employer.kvk_number,
        "sector": employer.sector,
        "municipality": employer.municipality,
        "location": employer.location,
        "contacts": employer.contacts or [],
        "created_at": employer.created_at,
        "updated_at": employer.updated_at,
    }


def workplace_dict(workplace: Workplace) -> dict[str, Any]:
    return {
        "id": workplace.id,
        "employer_id": workplace.employer_id,
        "programme_id": workplace.programme_id,
        "description": workplace.description,
        "hours_per_week": workplace.hours_per_week,
        "requirements": workplace.requirements,
        "status": workplace.status,
        "created_at": workplace.created_at,
        "filled_at": workplace.filled_at,
    }
