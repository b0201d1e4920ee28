"""Employers, their workplaces and the trajectplans agreed with them."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..services.employer_plans import OUTCOMES, EvaluationInput, employer_detail, evaluate_plan, get_plan, list_plans
from ..services.employers import (
    WORKPLACE_STATUSES,
    EmployerInput,
    WorkplaceInput,
    add_workplace,
    list_employers,
    register_employer,
    set_workplace_status,
    update_employer,
)
from .employer_schemas import EmployerDetailSchema, EmployerListItemSchema, PlanSchema
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema
from .serialise import iso_json

blp = Blueprint("employers", __name__, url_prefix="/api", description="Employer registry and trajectplans")


class ContactSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(load_default=None)
    email = fields.Email(load_default=None)
    phone = fields.String(load_default=None)


class EmployerInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kvk_number = fields.String(required=True, metadata={"description": "8 digits", "example": "12345678"})
    sector = fields.String(load_default=None, validate=validate.Length(max=100))
    municipality = fields.String(load_default=None)
    location = fields.String(load_default=None, validate=validate.Length(max=200))
    contacts = fields.List(fields.Nested(ContactSchema), load_default=list)


class EmployerQueryArgs(Schema):
    search = fields.String(load_default=None, metadata={"description": "name or KvK number"})
    municipality = fields.String(load_default=None)


class WorkplaceInSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    hours_per_week = fields.Float(load_default=None)
    requirements = fields.String(load_default=None)
    programme_id = fields.Integer(load_default=None)


class WorkplaceStatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(WORKPLACE_STATUSES))


class PlanQueryArgs(Schema):
    case_id = fields.Integer(load_default=None)
    employer_id = fields.Integer(load_default=None)


class EvaluationInSchema(Schema):
    date = fields.Date(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class CreatedSchema(Schema):
    id = fields.Integer()


@blp.route("/employers")
class Employers(MethodView):
    @blp.arguments(EmployerQueryArgs, location="query")
    @blp.response(200, EmployerListItemSchema(many=True))
    def get(self, args):  # type: ignore[no-untyped-def]
        """Registered employers with their number of open workplaces."""
        current_actor()
        return iso_json(list_employers(service_context(), **args))

    @blp.arguments(EmployerInSchema)
    @blp.response(201, EmployerDetailSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body):  # type: ignore[no-untyped-def]
        """Register an employer (werkgeversadviseur); the KvK number must have 8 digits and be new."""
        ctx = service_context()
        employer_id = register_employer(ctx, current_actor(), EmployerInput(**body))
        return iso_json(employer_detail(ctx, employer_id))


@blp.route("/employers/<int:employer_id>")
class EmployerDetail(MethodView):
    @blp.response(200, EmployerDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, employer_id: int):  # type: ignore[no-untyped-def]
        """The employer with workplaces, placements, trajectplans and change history."""
        current_actor()
        return iso_json(employer_detail(service_context(), employer_id))

    @blp.arguments(EmployerInSchema)
    @blp.response(200, EmployerDetailSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def put(self, body, employer_id: int):  # type: ignore[no-untyped-def]
        """Change the employer's details; the change is kept in its history."""
        ctx = service_context()
        update_employer(ctx, current_actor(), employer_id, EmployerInput(**body))
        return iso_json(employer_detail(ctx, employer_id))


@blp.route("/employers/<int:employer_id>/workplaces")
class Workplaces(MethodView):
    @blp.arguments(WorkplaceInSchema)
    @blp.response(201, CreatedSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body, employer_id: int):  # type: ignore[no-untyped-def]
        """Add a workplace the employer offers (optionally within a programme)."""
        return {"id": add_workplace(service_context(), current_actor(), employer_id, WorkplaceInput(**body))}


@blp.route("/workplaces/<int:workplace_id>/status")
class WorkplaceStatus(MethodView):
    @blp.arguments(WorkplaceStatusSchema)
    @blp.response(204)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, body, workplace_id: int):  # type: ignore[no-untyped-def]
        """Open, fill or close a workplace."""
        set_workplace_status(service_context(), current_actor(), workplace_id, body["status"])


@blp.route("/employer-plans")
class Plans(MethodView):
    @blp.arguments(PlanQueryArgs, location="query")
    @blp.response(200, PlanSchema(many=True))
    def get(self, args):  # type: ignore[no-untyped-def]
        """Trajectplans with employers, of a case or of an employer."""
        current_actor()
        return iso_json(list_plans(service_context(), **args))


@blp.route("/employer-plans/<int:plan_id>")
class PlanDetail(MethodView):
    @blp.response(200, PlanSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, plan_id: int):  # type: ignore[no-untyped-def]
        """One trajectplan: goals, ontwikkelafspraken, kostenverdeling, instruments, evaluations."""
        current_actor()
        return iso_json(get_plan(service_context(), plan_id))


@blp.route("/employer-plans/<int:plan_id>/evaluations")
class PlanEvaluations(MethodView):
    @blp.arguments(EvaluationInSchema)
    @blp.response(201, PlanSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, body, plan_id: int):  # type: ignore[no-untyped-def]
        """Record an evaluation of the plan (in the case's and the employer's history)."""
        return iso_json(evaluate_plan(service_context(), current_actor(), plan_id, EvaluationInput(**body)))
