"""Deployed processes, and checking process files before they are deployed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.deploy import validation_report
from ..services.migration import migration_report, require_designer
from ..services.queries import list_processes
from .identity import current_actor, service_context
from .process_design_schemas import (
    MigrationReportSchema,
    MigrationRequestSchema,
    SourcesSchema,
    ValidationReportSchema,
)
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
        `valid` is false when there is any error. Process designers only (the files are untrusted XML).
        """
        require_designer(current_actor())
        ctx = service_context()
        return validation_report(body["files"], ctx.settings.forms_dir)


@blp.route("/<string:process_id>/migrate")
class Migrate(MethodView):
    @blp.arguments(MigrationRequestSchema)
    @blp.response(200, MigrationReportSchema)
    def post(self, body: dict[str, Any], process_id: str):  # type: ignore[no-untyped-def]
        """Move running cases from one version to another (role procesontwerper or teamleider).

        Every case is `mapped` (its live elements exist in the target) or `blocked` with the reason.
        `dry_run` (the default) reports without changing anything.
        """
        return migration_report(
            service_context(),
            current_actor(),
            process_id,
            body["from_version"],
            body["to_version"],
            body.get("case_ids"),
            body["dry_run"],
        )


from . import process_design  # noqa: E402,F401  (deploy, deployment log and pins register on blp)
