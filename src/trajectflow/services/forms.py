"""Task forms: JSON Schema files in `forms/`, checked at deploy and applied on completion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from ..domain.bsn import is_valid_bsn
from ..domain.errors import ValidationFailed

_FORMAT_CHECKER = FormatChecker()


@_FORMAT_CHECKER.checks("bsn")
def _is_bsn(value: object) -> bool:
    """A form field with `"format": "bsn"` takes nine digits passing the 11-proef."""
    return not isinstance(value, str) or is_valid_bsn(value)


def load_forms(directory: Path) -> dict[str, Any]:
    """File name → schema, or → an error message (str) when the file is not a valid JSON Schema."""
    forms: dict[str, Any] = {}
    if not directory.is_dir():
        return forms
    for path in sorted(directory.glob("*.json")):
        forms[path.name] = read_form(path.name, path.read_bytes())
    return forms


def read_form(name: str, content: bytes) -> Any:
    try:
        schema = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"{name}: not valid JSON: {err}"
    if not isinstance(schema, dict):
        return f"{name}: a form must be a JSON object"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        return f"{name}: {err.message}"
    return schema


def validate_submission(schema: dict[str, Any] | None, data: Any) -> dict[str, Any]:
    """Check `data` against the form; raise ValidationFailed with messages per field."""
    if not isinstance(data, dict):
        raise ValidationFailed("form data must be a JSON object", {"data": ["must be an object"]})
    if schema is None:
        return data
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    problems: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        field = _field_of(error)
        problems.setdefault(field, []).append(error.message)
    if problems:
        raise ValidationFailed("the submitted data does not match the form", problems)
    return data


def _field_of(error: Any) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    if error.validator == "additionalProperties" and "'" in error.message:
        path.append(error.message.split("'")[1])
    return ".".join(p for p in path if p) or "_form"
