"""The web modeler: open a deployed version in bpmn-js, validate on save, deploy a new version; DMN tables.

The modeler's own calls (sources, validate, deploy) are JSON endpoints on the session (CSRF header),
answering like the REST API does.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from ...api.process_design_schemas import SourcesSchema
from ...domain.errors import InvalidProcess
from ...services.deploy import deploy_as, validation_report
from ...services.designer import designer_choices, version_decision_tables, version_sources
from ...services.supervision_queries import process_versions
from ..auth import current_web_actor, web_context
from . import bp, designer_required


@bp.get("/")
@designer_required
def index() -> str:
    return render_template("designer/index.html", versions=process_versions(web_context()))


@bp.get("/modeler/<process_id>/<int:version>")
@designer_required
def modeler(process_id: str, version: int) -> str:
    ctx = web_context()
    found = version_sources(ctx, process_id, version)
    return render_template("designer/modeler.html", version=found, choices=designer_choices(ctx))


@bp.get("/modeler/<process_id>/<int:version>/bronnen.json")
@designer_required
def sources(process_id: str, version: int) -> Response:
    return jsonify(version_sources(web_context(), process_id, version))


@bp.get("/beslistabellen/<process_id>/<int:version>")
@designer_required
def decision_tables(process_id: str, version: int) -> str:
    return render_template("designer/decisions.html", data=version_decision_tables(web_context(), process_id, version))


def _files() -> dict[str, Any] | tuple[Response, int]:
    try:
        return dict(SourcesSchema().load(request.get_json(silent=True) or {})["files"])
    except ValidationError as err:
        return jsonify({"error": "validation_failed", "message": "invalid files", "details": err.messages}), 422


@bp.post("/valideren")
@designer_required
def validate() -> Response | tuple[Response, int]:
    files = _files()
    if isinstance(files, tuple):
        return files
    return jsonify(validation_report(files, web_context().settings.forms_dir))


@bp.post("/uitrollen")
@designer_required
def deploy() -> Response | tuple[Response, int]:
    files = _files()
    if isinstance(files, tuple):
        return files
    try:
        return jsonify(deploy_as(web_context(), current_web_actor(), files)), 201
    except InvalidProcess as err:
        return jsonify({"error": err.code, "message": err.message, "details": err.details}), 422
