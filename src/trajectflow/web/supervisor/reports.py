"""The reports page (charts with their numbers beside them), the billing of purchased services, and
CSV/XLSX downloads of each table."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Response, render_template, request

from ...domain.errors import ValidationFailed
from ...domain.municipalities import MUNICIPALITIES
from ...domain.organisations import ORGANISATIONS
from ...services.kpis import BILLING_RECORD_ROLES, KpiTable, billing_records_table, billing_table
from ...services.programmes import list_programmes
from ...services.report_export import to_csv, to_xlsx
from ...services.reports import ReportPeriod, all_reports, report
from ..auth import current_web_actor, role_required, web_context
from . import bp
from .common import supervisor_required
from .labels import TITLES, headers, labelled_rows


def _period() -> ReportPeriod:
    today = web_context().clock.now().date()
    try:
        end = date.fromisoformat(request.args["end"]) if request.args.get("end") else today
        start = date.fromisoformat(request.args["start"]) if request.args.get("start") else end - timedelta(days=365)
    except ValueError:
        raise ValidationFailed("invalid date", {"period": ["use dates like 2026-01-31"]}) from None
    programme = request.args.get("programme") or None
    return ReportPeriod(
        start,
        end,
        request.args.get("municipality") or None,
        request.args.get("organisation") or None,
        int(programme) if programme and programme.isdigit() else None,
    )


def _billing(period: ReportPeriod) -> KpiTable:
    """The billing table with organisation and municipality names instead of their codes."""
    table = billing_table(web_context(), current_web_actor(), period)
    rows: list[list[Any]] = [
        [ORGANISATIONS[org].name if org in ORGANISATIONS else org, MUNICIPALITIES.get(m, m), *rest]
        for org, m, *rest in table.rows
    ]
    return KpiTable(table.key, table.columns, rows, chart="")


def _table(key: str, period: ReportPeriod) -> KpiTable:
    return _billing(period) if key == "billing" else report(web_context(), current_web_actor(), key, period)


@bp.get("/rapportages")
@supervisor_required
def reports_page() -> str:
    period = _period()
    tables = [*all_reports(web_context(), current_web_actor(), period), _billing(period)]
    return render_template(
        "supervisor/reports.html",
        tables=[
            {
                "key": t.key,
                "title": str(TITLES[t.key]),
                "headers": headers(t.columns),
                "rows": labelled_rows(t.rows),
                "chart": t.chart,
            }
            for t in tables
        ],
        period=period,
        municipalities=MUNICIPALITIES,
        organisations={code: org.name for code, org in ORGANISATIONS.items()},
        programmes=list_programmes(web_context()),
        query=request.query_string.decode(),
    )


@bp.get("/rapportages/billing-records.<any(csv, xlsx):file_format>")
@role_required(*BILLING_RECORD_ROLES)
def billing_records_download(file_format: str) -> Response:
    """The billable records behind the billing table: one row per trajectory."""
    table = billing_records_table(web_context(), current_web_actor(), _period())
    rows = [
        [case_id, MUNICIPALITIES.get(m, m), ORGANISATIONS[o].name if o in ORGANISATIONS else o, *rest]
        for case_id, m, o, *rest in table.rows
    ]
    return _download(table.key, table.columns, rows, file_format)


@bp.get("/rapportages/<key>.<any(csv, xlsx):file_format>")
@supervisor_required
def report_download(key: str, file_format: str) -> Response:
    table = _table(key, _period())
    return _download(key, table.columns, table.rows, file_format)


def _download(key: str, columns: list[str], table_rows: list[list[Any]], file_format: str) -> Response:
    names, rows = headers(columns), labelled_rows(table_rows)
    if file_format == "csv":
        response = Response(to_csv(names, rows), mimetype="text/csv; charset=utf-8")
    else:
        response = Response(
            to_xlsx(key, names, rows),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{key}.{file_format}"'
    return response
