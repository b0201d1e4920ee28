"""Process designer endpoints: deploy (audited), the deployment log, versions pinned per municipality."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from marshmallow import ValidationError

from ..domain.errors import ValidationFailed
from ..services.deploy import deploy_as, deployment_log
from ..services.pins import list_pins, pin_version, unpin_version
from .identity import current_actor, service_context
from .process_design_schemas import (
    DeploymentSchema,
    DeployResultSchema,
    PinRequestSchema,
    PinSchema,
    SourcesSchema,
)
from .processes import blp

MULTIPART_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": SourcesSchema},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                }
            },
        }
    }
}


def _uploaded_sources() -> dict[str, str | bytes]:
    """The files of a deploy: multipart uploads (any field name), else JSON {"files": {name: xml}}."""
    if request.files:
        raw = {upload.filename or "": upload.read() for upload in request.files.values()}
        payload = {"files": {name: content.decode("utf-8", "replace") for name, content in raw.items()}}
    else:
        payload = request.get_json(silent=True) or {}
    try:
        return dict(SourcesSchema().load(payload)["files"])
    except ValidationError as err:
        raise ValidationFailed("invalid deploy request", err.messages) from None


@blp.route("/deploy")
class Deploy(MethodView):
    @blp.doc(**MULTIPART_DOC)
    @blp.response(201, DeployResultSchema)
    def post(self):  # type: ignore[no-untyped-def]
        """Validate and deploy BPMN/DMN files (role procesontwerper or beheerder); logged with the caller.

        A new version is made per executable process whose content changed; unchanged processes
        report their existing version with `created: false`; `warnings` lists what deployed but deserves a look
        (e.g. a bpmn-js file whose only process is marked isExecutable="false"). Invalid files: 422 with every problem.
        """
        actor = current_actor()
        sources = _uploaded_sources()
        return deploy_as(service_context(), actor, sources)


@blp.route("/deployments")
class Deployments(MethodView):
    @blp.response(200, DeploymentSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """The latest 50 deploys, newest first: who deployed which files and versions."""
        current_actor()
        return deployment_log(service_context())


@blp.route("/<string:process_id>/pins")
class Pins(MethodView):
    @blp.response(200, PinSchema(many=True))
    def get(self, process_id: str):  # type: ignore[no-untyped-def]
        """Municipalities whose new cases start on a pinned version of this process."""
        current_actor()
        return list_pins(service_context(), process_id)


@blp.route("/<string:process_id>/pins/<string:municipality>")
class Pin(MethodView):
    @blp.arguments(PinRequestSchema)
    @blp.response(200, PinSchema)
    def put(self, body: dict[str, Any], process_id: str, municipality: str):  # type: ignore[no-untyped-def]
        """Start new cases of this process in `municipality` on `version` (role procesontwerper or beheerder)."""
        return pin_version(service_context(), current_actor(), process_id, municipality, body["version"])

    @blp.response(204)
    def delete(self, process_id: str, municipality: str):  # type: ignore[no-untyped-def]
        """Remove the pin: new cases start on the latest version again."""
        unpin_version(service_context(), current_actor(), process_id, municipality)
