"""Demo employers with workplaces and the Meedoen Werkt 2026 programme (from demo/cases.yaml). Idempotent."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ..domain.cases import Actor
from ..store.models import Employer, Programme
from .context import ServiceContext
from .employers import EmployerInput, WorkplaceInput, add_workplace, register_employer
from .programmes import ProgrammeInput, create_programme

ADVISER = Actor("werkgeversadviseur", frozenset({"werkgeversadviseur"}))
BEHEERDER = Actor("beheerder", frozenset({"beheerder"}))


def load_demo_employers(ctx: ServiceContext, plan: dict[str, Any]) -> int:
    """Add the plan's programmes and employers that are not there yet; returns how many were added."""
    added = 0
    programme_ids: list[int] = []
    for item in plan.get("programmes", []):
        with ctx.uow(write=False) as uow:
            existing = uow.session.scalar(select(Programme.id).where(Programme.code == item["code"]))
        if existing is None:
            fields = {**item, "start_date": date.fromisoformat(item["start_date"])}
            fields["end_date"] = date.fromisoformat(item["end_date"])
            existing = create_programme(ctx, BEHEERDER, ProgrammeInput(**fields))
            added += 1
        programme_ids.append(existing)
    for item in plan.get("employers", []):
        with ctx.uow(write=False) as uow:
            if uow.session.scalar(select(Employer.id).where(Employer.kvk_number == item["kvk_number"])) is not None:
                continue
        values = {k: v for k, v in item.items() if k != "workplaces"}
        employer_id = register_employer(ctx, ADVISER, EmployerInput(**values))
        for place in item.get("workplaces", []):
            programme = programme_ids[0] if place.get("meedoen_werkt") and programme_ids else None
            add_workplace(
                ctx,
                ADVISER,
                employer_id,
                WorkplaceInput(place["description"], place.get("hours_per_week"), place.get("requirements"), programme),
            )
        added += 1
    return added
