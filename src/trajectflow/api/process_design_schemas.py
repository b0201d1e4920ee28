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


class MigrationRequestSchema(Schema):
    from_version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    to_version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    case_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=None, allow_none=True)
    dry_run = fields.Boolean(load_default=True, metadata={"description": "report only (the default)"})


class CaseMigrationSchema(Schema):
    case_id = fields.Integer()
    outcome = fields.String(metadata={"description": "mapped or blocked"})
    elements = fields.List(fields.String(), metadata={"description": "where the case is: its live element ids"})
    reason = fields.String(allow_none=True, metadata={"description": "why a case is blocked"})


class MigrationReportSchema(Schema):
    process_id = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    dry_run = fields.Boolean()
    mapped = fields.Integer()
    blocked = fields.Integer()
    cases = fields.List(fields.Nested(CaseMigrationSchema))


class PinRequestSchema(Schema):
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class PinSchema(Schema):
    process_id = fields.String()
    municipality = fields.String()
    version = fields.Integer()
    pinned_at = fields.DateTime()
    pinned_by = fields.String()


class DeployedVersionSchema(Schema):
    process_id = fields.String()
    version = fields.Integer()
    created = fields.Boolean(metadata={"description": "false when the content was deployed before"})


class DeploymentSchema(Schema):
    id = fields.Integer()
    deployed_at = fields.DateTime()
    actor = fields.String()
    files = fields.List(fields.String())
    versions = fields.List(fields.Nested(DeployedVersionSchema))


class DeployResultSchema(Schema):
    versions = fields.List(fields.Nested(DeployedVersionSchema))
    warnings = fields.List(fields.Nested(ProblemSchema))
