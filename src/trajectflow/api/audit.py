"""The audit log of a case, for its teamleiders (JSON, or CSV with `?format=csv`)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..services.audit_log import CASE_COLUMNS, case_audit_csv, case_audit_log
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema

blp = Blueprint("api_audit", __name__, url_prefix="/api", description="Audit trail (BIO logging)")


class AuditArgs(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class AuditRecordSchema(Schema):
    seq = fields.Integer(metadata={"description": "position in the hash-chained trail"})
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    action = fields.String(metadata={"description": "view, list, export, start_case, claim, complete, login …"})
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    result = fields.String(metadata={"description": "success, denied, failed, error; sign-ins: success, failure"})
    origin_ip = fields.String(allow_none=True)
    client = fields.String(allow_none=True, metadata={"description": "the caller's User-Agent"})


@blp.route("/cases/<int:case_id>/audit")
class CaseAudit(MethodView):
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditRecordSchema(many=True))
    @blp.doc(responses={"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}})  # with format=csv
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args: dict[str, Any], case_id: int):  # type: ignore[no-untyped-def]
        """Who viewed and changed this case, oldest first (teamleider only). Reading it is itself recorded."""
        records = case_audit_log(service_context(), current_actor(), case_id)
        if args["format"] == "csv":
            response = Response(case_audit_csv(records, list(CASE_COLUMNS)), mimetype="text/csv; charset=utf-8")
            response.headers["Content-Disposition"] = f'attachment; filename="auditlog-case-{case_id}.csv"'
            return response
        return records
