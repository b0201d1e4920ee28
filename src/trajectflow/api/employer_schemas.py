"""Response schemas of the employer and programme endpoints, for the OpenAPI document.

The services answer plain dicts that `iso_json` has turned into ISO 8601 strings, so dates are strings
here (with their format); free-form parts (contacts, kostenverdeling, history) stay objects.
"""

from __future__ import annotations

from marshmallow import Schema, fields


def _date(**kwargs: object) -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date", **kwargs})


def _datetime() -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date-time"})


class EmployerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kvk_number = fields.String()
    sector = fields.String(allow_none=True)
    municipality = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    contacts = fields.List(fields.Dict(), metadata={"description": "name, role, email, phone"})
    created_at = _datetime()
    updated_at = _datetime()


class EmployerListItemSchema(EmployerSchema):
    open_workplaces = fields.Integer()


class WorkplaceSchema(Schema):
    id = fields.Integer()
    employer_id = fields.Integer()
    programme_id = fields.Integer(allow_none=True)
    description = fields.String()
    hours_per_week = fields.Float(allow_none=True)
    requirements = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["open", "filled", "closed"]})
    created_at = _datetime()
    filled_at = _datetime()


class PlacedClientSchema(Schema):
    name = fields.String()
    bsn = fields.String(metadata={"description": "masked: only the last 3 digits"})


class PlacementSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    client = fields.Nested(PlacedClientSchema)
    municipality = fields.String()
    workplace_id = fields.Integer(allow_none=True)
    start_date = _date()
    contract = fields.String(allow_none=True)
    hours_per_week = fields.Float(allow_none=True)


class PlanSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    employer_id = fields.Integer()
    employer_name = fields.String(allow_none=True)
    workplace_id = fields.Integer(allow_none=True)
    goals = fields.String()
    agreements = fields.List(fields.Dict(), metadata={"description": "ontwikkelafspraken: afspraak, datum"})
    cost_sharing = fields.List(fields.Dict(), metadata={"description": "kostenverdeling: post, betaald_door, bedrag"})
    instruments = fields.List(fields.String())
    evaluations = fields.List(fields.Dict(), metadata={"description": "date, outcome, note, by"})
    start_date = _date()
    end_date = _date()
    created_at = _datetime()
    created_by = fields.String(allow_none=True)


class EmployerDetailSchema(EmployerSchema):
    workplaces = fields.List(fields.Nested(WorkplaceSchema))
    placements = fields.List(fields.Nested(PlacementSchema))
    plans = fields.List(fields.Nested(PlanSchema))
    history = fields.List(fields.Dict(), metadata={"description": "registry events: at, actor, kind, message"})


class ProgrammeSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    start_date = _date()
    end_date = _date()
    municipalities = fields.List(fields.String())
    target_residents_to_work = fields.Integer()
    target_employers_with_workplace = fields.Integer()
    enrolment_rule = fields.Dict(metadata={"description": "routes, max_ladder_rung"})


class ProgressMonthSchema(Schema):
    month = fields.String(metadata={"example": "2026-04"})
    residents_to_work = fields.Integer()
    employers_with_workplace = fields.Integer()


class ProgrammeProgressSchema(Schema):
    programme = fields.Nested(ProgrammeSchema)
    enrolled = fields.Integer()
    residents_to_work = fields.Integer()
    employers_with_workplace = fields.Integer()
    series = fields.List(fields.Nested(ProgressMonthSchema), metadata={"description": "cumulative per month"})
    history = fields.List(fields.Dict())
