"""Deployed processes."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.queries import list_processes
from .identity import current_actor, service_context
from .schemas import ProcessSchema

blp = Blueprint("processes", __name__, url_prefix="/api/processes", description="Deployed process versions")


@blp.route("")
class Processes(MethodView):
    @blp.response(200, ProcessSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """List deployed processes with their versions."""
        current_actor()
        return list_processes(service_context())
