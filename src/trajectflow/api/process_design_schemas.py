"""Schemas of the process designer endpoints (validate, deploy, migrate)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .schemas import ProblemSchema


class SourcesSchema(Schema):
    files = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[^/\\]+\.(bpmn|dmn|bpmn20\.xml)$")),
        values=fields.String(),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "file name (x.bpmn, y.dmn) → XML text"},
    )


class ValidationReportSchema(Schema):
    valid = fields.Boolean()
    errors = fields.Integer()
    warnings = fields.Integer()
    problems = fields.List(fields.Nested(ProblemSchema))
