"""KPIs per municipality, organisation, programme and period, their CSV/XLSX exports and billing."""

from __future__ import annotations

from datetime import timedelta

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from ..services.kpis import KpiFilter, all_kpis, billing_records_table, billing_table, kpi_table
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema
from .supervision_reports import PeriodArgs, ReportSchema, report_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECORD_FILES = {"text/csv": {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string", "format": "binary"}}}

blp = Blueprint("kpis", __name__, url_prefix="/api", description="KPIs, exports and billing of purchased services")


class KpiArgs(PeriodArgs):
    organisation = fields.String(load_default=None, metadata={"description": "e.g. werkbedrijf-roermond"})
    programme = fields.Integer(load_default=None, metadata={"description": "programme id"})


def kpi_filter(args: dict) -> KpiFilter:  # type: ignore[type-arg]
    ctx = service_context()
    end = args.get("end") or ctx.clock.now().date()
    start = args.get("start") or end - timedelta(days=365)
    return KpiFilter(start, end, args.get("municipality"), args.get("organisation"), args.get("programme"))


@blp.route("/kpis")
class Kpis(MethodView):
    @blp.arguments(KpiArgs, location="query")
    @blp.response(200, ReportSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """Every KPI table for the period and the optional municipality, organisation and programme."""
        return [t.as_dict() for t in all_kpis(service_context(), current_actor(), kpi_filter(args))]


@blp.route("/kpis/<key>.<any(csv, xlsx):file_format>")
class KpiFile(MethodView):
    @blp.arguments(KpiArgs, location="query")
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, key: str, file_format: str):  # type: ignore[no-untyped-def]
        """One KPI table (or `billing`) as CSV (semicolon-separated, UTF-8) or XLSX; headers are the column keys."""
        ctx, actor, flt = service_context(), current_actor(), kpi_filter(args)
        table = billing_table(ctx, actor, flt) if key == "billing" else kpi_table(ctx, actor, key, flt)
        return report_file(table.key, table.columns, table.rows, file_format)


@blp.route("/billing")
class Billing(MethodView):
    @blp.arguments(KpiArgs, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """Purchased services: per organisation, buying municipality, month and route: started, active, ended."""
        return billing_table(service_context(), current_actor(), kpi_filter(args)).as_dict()


@blp.route("/kpis/billing/records")
class BillingRecords(MethodView):
    @blp.arguments(KpiArgs, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """Billable records: one row per trajectory of a purchased-service municipality running in the period
        (case_id, municipality, organisation, route, start, end). Teamleider or beheerder."""
        return billing_records_table(service_context(), current_actor(), kpi_filter(args)).as_dict()


@blp.route("/kpis/billing/records.<any(csv, xlsx):file_format>")
class BillingRecordsFile(MethodView):
    @blp.arguments(KpiArgs, location="query")
    @blp.doc(responses={"200": {"description": "the file", "content": RECORD_FILES}})
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args, file_format: str):  # type: ignore[no-untyped-def]
        """The billable records as CSV (semicolon-separated, UTF-8) or XLSX; headers are the column keys."""
        table = billing_records_table(service_context(), current_actor(), kpi_filter(args))
        return report_file(table.key, table.columns, table.rows, file_format)
