"""Marshmallow schemas of the supervisor (teamleider) endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .schemas import TaskSchema


class ReassignSchema(Schema):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))


class BulkReassignSchema(ReassignSchema):
    task_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=500))


class ReassignedSchema(Schema):
    tasks = fields.List(fields.Nested(TaskSchema))


class ReasonSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))


class RequiredReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=400))


class MoveSchema(RequiredReasonSchema):
    to_element_id = fields.String(required=True, validate=validate.Length(min=1, max=200))


class MovableElementSchema(Schema):
    process_id = fields.String()
    element_id = fields.String()
    name = fields.String()
