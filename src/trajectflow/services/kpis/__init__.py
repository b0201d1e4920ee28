"""The one KPI module: every number the reports page, GET /api/kpis, the exports and programme pages show.

Each KPI is a `KpiTable` (column keys and rows of plain values) computed for a `KpiFilter`: a period,
and optionally a municipality, an execution organisation and a programme. Definitions: docs/kpis.md.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ...domain.cases import Actor
from ...domain.errors import Forbidden, NotFound
from ..context import ServiceContext
from ..supervision import require_supervisor
from .billing import billing, billing_records
from .flow import durable_outflow, inflow, outflow, per_municipality, reintegration
from .scope import KpiFilter, KpiTable
from .state import caseload, instruments, ladder_movement, overdue_tasks, throughput

KPIS: dict[str, Callable[[Session, KpiFilter], KpiTable]] = {
    "inflow": inflow,
    "caseload": caseload,
    "outflow": outflow,
    "durable": durable_outflow,
    "reintegration": reintegration,
    "ladder": ladder_movement,
    "throughput": throughput,
    "overdue": overdue_tasks,
    "instruments": instruments,
    "municipalities": per_municipality,
}
KPI_KEYS = tuple(KPIS)
BILLING_RECORD_ROLES = frozenset({"teamleider", "beheerder"})

__all__ = ["KPI_KEYS", "KpiFilter", "KpiTable", "all_kpis", "billing_records_table", "billing_table", "kpi_table"]


def _with_now(ctx: ServiceContext, flt: KpiFilter) -> KpiFilter:
    if flt.as_of is not None:
        return flt
    return KpiFilter(flt.start, flt.end, flt.municipality, flt.organisation, flt.programme, ctx.clock.now())


def kpi_table(ctx: ServiceContext, actor: Actor, key: str, flt: KpiFilter) -> KpiTable:
    require_supervisor(actor)
    if key not in KPIS:
        raise NotFound(f"unknown KPI '{key}'", {"kpi": key, "known": list(KPI_KEYS)})
    flt.bounds()
    with ctx.uow(write=False) as uow:
        return KPIS[key](uow.session, _with_now(ctx, flt))


def all_kpis(ctx: ServiceContext, actor: Actor, flt: KpiFilter) -> list[KpiTable]:
    require_supervisor(actor)
    flt.bounds()
    with ctx.uow(write=False) as uow:
        return [build(uow.session, _with_now(ctx, flt)) for build in KPIS.values()]


def billing_table(ctx: ServiceContext, actor: Actor, flt: KpiFilter) -> KpiTable:
    """Billing of purchased services per month and route: teamleider or beheerder, like the billable records."""
    _require_billing_role(actor)
    flt.bounds()
    with ctx.uow(write=False) as uow:
        return billing(uow.session, _with_now(ctx, flt))


def billing_records_table(ctx: ServiceContext, actor: Actor, flt: KpiFilter) -> KpiTable:
    """The billable records (one per trajectory of a purchased service): teamleider or beheerder."""
    _require_billing_role(actor)
    flt.bounds()
    with ctx.uow(write=False) as uow:
        return billing_records(uow.session, _with_now(ctx, flt))


def _require_billing_role(actor: Actor) -> None:
    if not actor.roles & BILLING_RECORD_ROLES:
        raise Forbidden(
            "only a teamleider or beheerder may see billing",
            {"required_role": sorted(BILLING_RECORD_ROLES), "roles": sorted(actor.roles)},
        )
