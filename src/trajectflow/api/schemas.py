"""Marshmallow schemas of the API: request bodies, query arguments and responses."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..domain.cases import CaseStatus, TaskStatus


class ApiErrorSchema(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw(allow_none=True)


class ClientInSchema(Schema):
    bsn = fields.String(required=True, metadata={"example": "111222333"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    birth_date = fields.Date(required=True)


class CaseCreateSchema(Schema):
    process_id = fields.String(load_default="participatie_traject")
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    municipality = fields.String(required=True)
    client = fields.Nested(ClientInSchema, load_default=None, allow_none=True)
    client_id = fields.Integer(load_default=None, allow_none=True)
    channel = fields.String(load_default="loket", validate=validate.Length(max=50))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class PagingArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CaseQueryArgs(PagingArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(CaseStatus.ALL))
    phase = fields.String(load_default=None)
    route = fields.String(load_default=None)
    municipality = fields.String(load_default=None)
    client = fields.String(load_default=None, metadata={"description": "client name, number or BSN"})


class RevealArgs(Schema):
    reveal = fields.String(
        load_default=None, validate=validate.OneOf(["bsn"]), metadata={"description": "`bsn`: the full BSN (logged)"}
    )


class TaskQueryArgs(PagingArgs):
    assignee = fields.String(load_default=None, metadata={"description": "user name, or 'me'"})
    candidate_group = fields.String(load_default=None)
    case_id = fields.Integer(load_default=None)
    process_id = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(TaskStatus.ALL))
    overdue = fields.Boolean(load_default=None, allow_none=True)
    sort = fields.String(load_default="due", validate=validate.OneOf(["due", "-due", "created", "-created"]))


class CompleteSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class ClientOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    bsn = fields.String(metadata={"description": "masked (`******333`); in full on a case with `?reveal=bsn`"})


class TaskSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    process_id = fields.String()
    element_id = fields.String()
    name = fields.String()
    form = fields.String(allow_none=True)
    candidate_group = fields.String(allow_none=True)
    phase = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(allow_none=True)
    submitted_data = fields.Dict(allow_none=True)
    prefill = fields.Dict()
    case = fields.Dict()


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class CaseSchema(Schema):
    id = fields.Integer()
    client = fields.Nested(ClientOutSchema)
    municipality = fields.String()
    process_id = fields.String()
    process_version = fields.Integer()
    status = fields.String()
    phase = fields.String(allow_none=True)
    route = fields.String(allow_none=True)
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class TimerSchema(Schema):
    element_id = fields.String()
    process_id = fields.String()
    due_at = fields.DateTime()


class CaseDetailSchema(CaseSchema):
    open_tasks = fields.List(fields.Nested(TaskSchema))
    waiting_timers = fields.List(fields.Nested(TimerSchema))
    data = fields.Dict()
    error = fields.Dict(allow_none=True)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class EventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    kind = fields.String()
    task_id = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String()
    details = fields.Dict(allow_none=True)


class ProcessSchema(Schema):
    process_id = fields.String()
    name = fields.String()
    latest_version = fields.Integer()
    versions = fields.List(fields.Integer())
    deployed_at = fields.DateTime()


class CompletionSchema(Schema):
    case_id = fields.Integer()
    case_status = fields.String()
    phase = fields.String(allow_none=True)
    route = fields.String(allow_none=True)


class ProblemSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String()
    severity = fields.String()
