"""Read side for teamleiders: stuck cases, workload, diagram heatmap, KPI reports and their exports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..services.report_export import to_csv, to_xlsx
from ..services.reports import ReportPeriod, report
from ..services.supervision_queries import StuckFilter, heatmap, stuck_cases, workload
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema

blp = Blueprint("supervision_reports", __name__, url_prefix="/api", description="Supervision queries and reports")


class StuckArgs(Schema):
    idle_days = fields.Integer(load_default=14, validate=validate.Range(min=0, max=3650))
    municipality = fields.String(load_default=None)


class MunicipalityArgs(Schema):
    municipality = fields.String(load_default=None)


class VersionArgs(Schema):
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))


class PeriodArgs(MunicipalityArgs):
    start = fields.Date(load_default=None, metadata={"description": "first day; default 365 days before end"})
    end = fields.Date(load_default=None, metadata={"description": "last day (inclusive); default today"})


class ReportSchema(Schema):
    key = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.List(fields.Raw(allow_none=True)))
    chart = fields.String()


def iso_dates(value: Any) -> Any:
    """Datetimes as ISO 8601, like the schema-serialised endpoints (Flask's own JSON would write RFC 822)."""
    if isinstance(value, dict):
        return {k: iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso_dates(v) for v in value]
    return value.isoformat() if isinstance(value, datetime) else value


def period_from(args: dict, today: date) -> ReportPeriod:  # type: ignore[type-arg]
    end = args.get("end") or today
    start = args.get("start") or end - timedelta(days=365)
    return ReportPeriod(start, end, args.get("municipality"))


@blp.route("/supervision/stuck")
class Stuck(MethodView):
    @blp.arguments(StuckArgs, location="query")
    @blp.response(200)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """Idle cases, overdue tasks, errored and suspended cases, timers that should have fired."""
        return iso_dates(stuck_cases(service_context(), current_actor(), StuckFilter(**args)))


@blp.route("/supervision/workload")
class Workload(MethodView):
    @blp.arguments(MunicipalityArgs, location="query")
    @blp.response(200)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """Open and overdue tasks per caseworker and per group."""
        return workload(service_context(), current_actor(), args["municipality"])


@blp.route("/supervision/heatmap/<process_id>")
class Heatmap(MethodView):
    @blp.arguments(VersionArgs, location="query")
    @blp.response(200)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, process_id: str):  # type: ignore[no-untyped-def]
        """Per element: cases there now and mean/median hours a task took; with the BPMN XML to draw it on."""
        return heatmap(service_context(), current_actor(), process_id, args["version"])


@blp.route("/reports/<key>")
class Report(MethodView):
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, ReportSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, key: str):  # type: ignore[no-untyped-def]
        """One KPI report table (inflow, outflow, durable, caseload, ladder, throughput) for a municipality, period."""
        ctx = service_context()
        return report(ctx, current_actor(), key, period_from(args, ctx.clock.now().date())).as_dict()


@blp.route("/reports/<key>.<any(csv, xlsx):file_format>")
class ReportFile(MethodView):
    @blp.arguments(PeriodArgs, location="query")
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, key: str, file_format: str):  # type: ignore[no-untyped-def]
        """The report table as CSV (semicolon-separated, UTF-8) or XLSX; headers are the column keys."""
        ctx = service_context()
        table = report(ctx, current_actor(), key, period_from(args, ctx.clock.now().date()))
        return report_file(table.key, table.columns, table.rows, file_format)


def report_file(name: str, headers: list[str], rows: list[list], file_format: str) -> Response:  # type: ignore[type-arg]
    if file_format == "csv":
        body: str | bytes = to_csv(headers, rows)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = to_xlsx(name, headers, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
