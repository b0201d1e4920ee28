"""Clients: the inzageverzoek export of everything stored about one client (JSON or PDF)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..services.inzage import client_export, export_json
from ..services.inzage_pdf import export_pdf
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema

blp = Blueprint("clients", __name__, url_prefix="/api/clients", description="Clients and their data (inzageverzoek)")


EXPORT_CONTENT = {
    "application/json": {"schema": {"type": "object"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
}


class ExportArgs(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "pdf"]))


def export_response(client_id: int, file_format: str, body: bytes) -> Response:
    mimetype = "application/pdf" if file_format == "pdf" else "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="inzage-client-{client_id}.{file_format}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<int:client_id>/export")
class ClientExport(MethodView):
    @blp.arguments(ExportArgs, location="query")
    @blp.doc(responses={"200": {"description": "the export: a JSON document, or a PDF with `format=pdf`",
                                "content": EXPORT_CONTENT}})  # fmt: skip
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, client_id: int):  # type: ignore[no-untyped-def]
        """Inzageverzoek: the client record (with the full BSN), every case with its history, task data,
        notes, placements, trajectplans, programmes and notifications. Klantmanager or teamleider."""
        export = client_export(service_context(), current_actor(), client_id)
        body = export_pdf(export) if args["format"] == "pdf" else export_json(export)
        return export_response(client_id, args["format"], body)
