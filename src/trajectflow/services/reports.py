"""KPI reports for teamleiders and councils: the report pages and /api/reports read the KPI module.

Kept as the reports' entry point (report keys, `ReportPeriod`) so existing callers keep working;
every number comes from `services/kpis`, the one place KPIs are defined.
"""

from __future__ import annotations

from ..domain.cases import Actor
from .context import ServiceContext
from .kpis import KPI_KEYS, KpiFilter, KpiTable, all_kpis, kpi_table

REPORTS = KPI_KEYS
ReportPeriod = KpiFilter
ReportTable = KpiTable


def report(ctx: ServiceContext, actor: Actor, key: str, period: KpiFilter) -> KpiTable:
    return kpi_table(ctx, actor, key, period)


def all_reports(ctx: ServiceContext, actor: Actor, period: KpiFilter) -> list[KpiTable]:
    return all_kpis(ctx, actor, period)
