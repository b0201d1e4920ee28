"""Deployed processes, and checking process files before they are deployed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.deploy import validation_report
from ..services.queries import list_processes
from .identity import current_actor, service_context
from .process_design_schemas import SourcesSchema, ValidationReportSchema
from .schemas import ProcessSchema

blp = Blueprint("processes", __name__, url_prefix="/api/processes", description="Deployed process versions")


@blp.route("")
class Processes(MethodView):
    @blp.response(200, ProcessSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """List deployed processes with their versions."""
        current_actor()
        return list_processes(service_context())


@blp.route("/validate")
class Validate(MethodView):
    @blp.arguments(SourcesSchema)
    @blp.response(200, ValidationReportSchema)
    def post(self, body: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Check BPMN/DMN files (with the forms on the server) without deploying them.

        Every problem has file, line, element id, message and severity (`error` or `warning`);
        `valid` is false when there is any error.
        """
        current_actor()
        ctx = service_context()
        return validation_report(body["files"], ctx.settings.forms_dir)
