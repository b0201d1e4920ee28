"""Programmes (such as Meedoen Werkt): set up, enrol cases, progress against targets."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..services.programmes import ProgrammeInput, create_programme, enrol_case, list_programmes, programme_progress
from .employer_schemas import ProgrammeProgressSchema, ProgrammeSchema
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema
from .serialise import iso_json

blp = Blueprint("programmes", __name__, url_prefix="/api/programmes", description="Programmes and their progress")


class EnrolmentRuleSchema(Schema):
    routes = fields.List(fields.String(), load_default=None)
    max_ladder_rung = fields.Integer(load_default=None, validate=validate.Range(min=1, max=6))


class ProgrammeInSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    municipalities = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    target_residents_to_work = fields.Integer(required=True)
    target_employers_with_workplace = fields.Integer(required=True)
    enrolment_rule = fields.Nested(EnrolmentRuleSchema, load_default=dict)


class EnrolSchema(Schema):
    case_id = fields.Integer(required=True)


@blp.route("")
class Programmes(MethodView):
    @blp.response(200, ProgrammeSchema(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """Every programme with its period, municipalities, targets and enrolment rule."""
        current_actor()
        return iso_json(list_programmes(service_context()))

    @blp.arguments(ProgrammeInSchema)
    @blp.response(201, ProgrammeProgressSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body):  # type: ignore[no-untyped-def]
        """Set up a programme (teamleider or beheerder)."""
        rule = {k: v for k, v in (body.pop("enrolment_rule") or {}).items() if v is not None}
        ctx = service_context()
        programme_id = create_programme(ctx, current_actor(), ProgrammeInput(**body, enrolment_rule=rule))
        return iso_json(programme_progress(ctx, programme_id))


@blp.route("/<int:programme_id>")
class ProgrammeProgress(MethodView):
    @blp.response(200, ProgrammeProgressSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, programme_id: int):  # type: ignore[no-untyped-def]
        """The programme with enrolled cases, residents to paid work and employers with a workplace, per month."""
        current_actor()
        return iso_json(programme_progress(service_context(), programme_id))


@blp.route("/<int:programme_id>/enrolments")
class Enrolments(MethodView):
    @blp.arguments(EnrolSchema)
    @blp.response(204)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body, programme_id: int):  # type: ignore[no-untyped-def]
        """Enrol a case; it must meet the programme's municipalities, period and enrolment rule."""
        enrol_case(service_context(), current_actor(), programme_id, body["case_id"])
