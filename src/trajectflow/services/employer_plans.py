"""Trajectplans with employers (read, evaluate) and the employer page's read side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.bsn import mask_bsn
from ..domain.cases import Actor
from ..domain.errors import Forbidden, ValidationFailed
from ..store.models import Case, Client, Employer, EmployerPlan, Placement, Workplace
from .context import ServiceContext
from .employers import employer_dict, get_employer, workplace_dict
from .loading import get_or_404
from .projection import record
from .registry_events import record_registry_event, registry_history

EVALUATION_ROLES = frozenset({"werkgeversadviseur", "jobcoach", "klantmanager", "trajectbegeleider"})
OUTCOMES = ("op_koers", "bijsturen", "gestopt")


@dataclass(frozen=True)
class EvaluationInput:
    date: date
    outcome: str
    note: str | None = None


def plan_dict(plan: EmployerPlan, employer: Employer | None = None) -> dict[str, Any]:
    return {
        "id": plan.id,
        "case_id": plan.case_id,
        "employer_id": plan.employer_id,
        "employer_name": employer.name if employer else None,
        "workplace_id": plan.workplace_id,
        "goals": plan.goals,
        "agreements": plan.agreements or [],
        "cost_sharing": plan.cost_sharing or [],
        "instruments": plan.instruments or [],
        "evaluations": plan.evaluations or [],
        "start_date": plan.start_date,
        "end_date": plan.end_date,
        "created_at": plan.created_at,
        "created_by": plan.created_by,
    }


def list_plans(ctx: ServiceContext, case_id: int | None = None, employer_id: int | None = None) -> list[dict]:  # type: ignore[type-arg]
    query = select(EmployerPlan, Employer).join(Employer, Employer.id == EmployerPlan.employer_id)
    if case_id is not None:
        query = query.where(EmployerPlan.case_id == case_id)
    if employer_id is not None:
        query = query.where(EmployerPlan.employer_id == employer_id)
    with ctx.uow(write=False) as uow:
        return [plan_dict(p, e) for p, e in uow.session.execute(query.order_by(EmployerPlan.id))]


def get_plan(ctx: ServiceContext, plan_id: int) -> dict[str, Any]:
    with ctx.uow(write=False) as uow:
        plan = _plan(uow.session, plan_id)
        return plan_dict(plan, uow.session.get(Employer, plan.employer_id))


def _plan(session: Session, plan_id: int) -> EmployerPlan:
    return get_or_404(session, EmployerPlan, plan_id, "employer plan", "plan_id")


def evaluate_plan(ctx: ServiceContext, actor: Actor, plan_id: int, evaluation: EvaluationInput) -> dict[str, Any]:
    """Add an evaluation to the plan; recorded in the case history and the employer's history."""
    if not actor.roles & EVALUATION_ROLES:
        raise Forbidden("only caseworkers of the placement may evaluate a plan", {"roles": sorted(actor.roles)})
    if evaluation.outcome not in OUTCOMES:
        raise ValidationFailed("unknown outcome", {"outcome": [f"one of {', '.join(OUTCOMES)}"]})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        plan = _plan(session, plan_id)
        entry = {
            "date": evaluation.date.isoformat(),
            "outcome": evaluation.outcome,
            "note": (evaluation.note or "").strip() or None,
            "by": actor.username,
        }
        plan.evaluations = [*(plan.evaluations or []), entry]
        case = session.get(Case, plan.case_id)
        assert case is not None
        record(
            session,
            case,
            now,
            "employer_plan_evaluated",
            f"Trajectplan {plan.id} geëvalueerd: {entry['outcome']}",
            actor.username,
            details={"plan_id": plan.id, **entry},
        )
        record_registry_event(
            session,
            now,
            actor.username,
            "employer",
            plan.employer_id,
            "plan_evaluated",
            f"Trajectplan {plan.id} (dossier {plan.case_id}) geëvalueerd",
            {"plan_id": plan.id, **entry},
        )
        uow.commit()
        return plan_dict(plan, session.get(Employer, plan.employer_id))


def employer_detail(ctx: ServiceContext, employer_id: int) -> dict[str, Any]:
    """The employer with its workplaces, placement history, plans and change history."""
    with ctx.uow(write=False) as uow:
        session = uow.session
        employer = get_employer(session, employer_id)
        workplaces = session.scalars(
            select(Workplace).where(Workplace.employer_id == employer_id).order_by(Workplace.id)
        )
        placements = session.execute(
            select(Placement, Client.name, Client.bsn, Case.municipality)
            .join(Case, Case.id == Placement.case_id)
            .join(Client, Client.id == Case.client_id)
            .where(Placement.employer_id == employer_id)
            .order_by(Placement.start_date, Placement.id)
        )
        plans = session.scalars(
            select(EmployerPlan).where(EmployerPlan.employer_id == employer_id).order_by(EmployerPlan.id)
        )
        return {
            **employer_dict(employer),
            "workplaces": [workplace_dict(w) for w in workplaces],
            "placements": [
                {
                    "id": p.id,
                    "case_id": p.case_id,
                    "client": {"name": name, "bsn": mask_bsn(bsn)},
                    "municipality": municipality,
                    "workplace_id": p.workplace_id,
                    "start_date": p.start_date,
                    "contract": p.contract,
                    "hours_per_week": p.hours_per_week,
                }
                for p, name, bsn, municipality in placements
            ],
            "plans": [plan_dict(p, employer) for p in plans],
            "history": registry_history(session, "employer", employer_id),
        }


def case_employment(ctx: ServiceContext, case_id: int) -> dict[str, Any]:
    """The case's trajectplans with employers and its placements, each with the employer's name."""
    with ctx.uow(write=False) as uow:
        session = uow.session
        plans = session.execute(
            select(EmployerPlan, Employer)
            .join(Employer, Employer.id == EmployerPlan.employer_id)
            .where(EmployerPlan.case_id == case_id)
            .order_by(EmployerPlan.id)
        )
        placements = session.execute(
            select(Placement, Employer.name, Workplace.description)
            .join(Employer, Employer.id == Placement.employer_id)
            .outerjoin(Workplace, Workplace.id == Placement.workplace_id)
            .where(Placement.case_id == case_id)
            .order_by(Placement.start_date, Placement.id)
        )
        return {
            "plans": [plan_dict(p, e) for p, e in plans],
            "placements": [
                {
                    "id": p.id,
                    "employer_id": p.employer_id,
                    "employer_name": name,
                    "workplace_id": p.workplace_id,
                    "workplace": description,
                    "start_date": p.start_date,
                    "contract": p.contract,
                    "hours_per_week": p.hours_per_week,
                }
                for p, name, description in placements
            ],
        }
