"""Cases: start (melding), list, detail, history."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.bsn_view import reveal_bsn
from ..services.cases import ClientInput, start_case
from ..services.queries import CaseFilter, case_detail, case_history, list_cases
from .identity import current_actor, service_context
from .schemas import (
    ApiErrorSchema,
    CaseCreateSchema,
    CaseDetailSchema,
    CasePageSchema,
    CaseQueryArgs,
    EventSchema,
    RevealArgs,
)

blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="Trajectory cases")


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseQueryArgs, location="query")
    @blp.response(200, CasePageSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """List cases, filtered by status, phase, route, municipality or client."""
        current_actor()
        return list_cases(service_context(), CaseFilter(**args))

    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body):  # type: ignore[no-untyped-def]
        """Register a melding: start a case for a (new or known) client in a municipality."""
        actor = current_actor()
        client = ClientInput(**body["client"]) if body.get("client") else None
        ctx = service_context()
        case_id = start_case(
            ctx,
            actor,
            process_id=body["process_id"],
            municipality=body["municipality"],
            client=client,
            client_id=body.get("client_id"),
            data=body.get("data"),
            version=body.get("version"),
            channel=body["channel"],
        )
        return case_detail(ctx, case_id)


@blp.route("/<int:case_id>")
class CaseDetail(MethodView):
    @blp.arguments(RevealArgs, location="query")
    @blp.response(200, CaseDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, case_id: int):  # type: ignore[no-untyped-def]
        """One case: phase, route, open tasks, waiting timers and its process data.

        The client's BSN is masked; `?reveal=bsn` shows it in full (a view of personal data that is logged)."""
        actor = current_actor()
        detail = case_detail(service_context(), case_id)
        if args.get("reveal") == "bsn":
            detail["client"]["bsn"] = reveal_bsn(service_context(), actor, case_id)
        return detail


@blp.route("/<int:case_id>/history")
class CaseHistory(MethodView):
    @blp.response(200, EventSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, case_id: int):  # type: ignore[no-untyped-def]
        """Everything that happened in a case, oldest first."""
        current_actor()
        return case_history(service_context(), case_id)
