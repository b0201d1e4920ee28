"""Task forms in HTML: fields described from a JSON Schema, posted values parsed back into typed JSON,
and validation messages phrased for people. Input names are `data.<path>` (`data.instrumenten.0.naam`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

PREFIX = "data."
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


@dataclass
class Field:
    path: str
    name: str
    title: str
    kind: str  # text, textarea, integer, number, date, select, radio, boolean, array
    required: bool
    description: str | None = None
    options: list[tuple[Any, str]] = field(default_factory=list)
    minimum: Any = None
    maximum: Any = None
    item_fields: list[Field] = field(default_factory=list)
    item_title: str = ""

    @property
    def dom_id(self) -> str:
        return "field-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path)

    def child(self, index: int) -> list[Field]:
        """The fields of row `index` of an array, with paths of that row."""
        return [_with_prefix(f, f"{self.path}.{index}") for f in self.item_fields]


def _with_prefix(item: Field, prefix: str) -> Field:
    return Field(**{**item.__dict__, "path": f"{prefix}.{item.name}"})


def _kind(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if kind == "array":
        return "array"
    if "enum" in prop:
        return "radio" if prop.get("x-widget") == "radio" else "select"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return str(kind)
    if prop.get("format") == "date":
        return "date"
    return "textarea" if prop.get("x-widget") == "textarea" else "text"


def describe(schema: dict[str, Any] | None, prefix: str = "") -> list[Field]:
    """The fields of an object schema, in the order the form file lists them."""
    if not schema:
        return []
    required = set(schema.get("required", []))
    described = []
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        kind = _kind(prop)
        item = Field(
            path=path,
            name=name,
            title=prop.get("title", name),
            kind=kind,
            required=name in required,
            description=prop.get("description"),
            minimum=prop.get("minimum"),
            maximum=prop.get("maximum"),
        )
        if "enum" in prop:
            labels = prop.get("x-enumNames") or [str(v) for v in prop["enum"]]
            item.options = list(zip(prop["enum"], labels, strict=False))
        if kind == "array":
            items = prop.get("items", {})
            item.item_fields = describe(items) if items.get("type") == "object" else []
            item.item_title = items.get("title", _("Row"))
        described.append(item)
    return described


def parse_submission(schema: dict[str, Any] | None, form: MultiDict[str, str]) -> dict[str, Any]:
    """Posted form → JSON for the service. Unparseable values stay strings so validation reports them."""
    return _parse_object(schema or {}, form, PREFIX)


def _parse_object(schema: dict[str, Any], form: MultiDict[str, str], prefix: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        if prop.get("type") == "array":
            rows = row_count(form, key)
            items = prop.get("items", {})
            result[name] = [_parse_object(items, form, f"{key}.{i}.") for i in range(rows)]
            if not result[name] and f"rows.{key}" not in form:
                del result[name]
            continue
        value = _parse_scalar(prop, form.get(key))
        if value is not None:
            result[name] = value
    return result


def row_count(form: MultiDict[str, str], key: str) -> int:
    raw = form.get(f"rows.{key}", "0")
    return min(int(raw), 50) if raw.isdecimal() else 0


def _parse_scalar(prop: dict[str, Any], raw: str | None) -> Any:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    kind = prop.get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?\d+", text) else text
    if kind == "number":
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    if prop.get("format") == "date":
        return iso_date(text) or text
    return text


def iso_date(text: str) -> str | None:
    match = _DUTCH_DATE.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def display_value(item: Field, value: Any) -> str:
    """A stored value as the input shows it: dates as dd-mm-jjjj, the rest as text."""
    if value is None:
        return ""
    if item.kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def value_at(data: dict[str, Any] | None, path: str) -> Any:
    current: Any = data or {}
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdecimal() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def friendly_errors(fields: list[Field], data: dict[str, Any], details: Any) -> dict[str, str]:
    """Field path → one message a caseworker understands, from the service's per-path messages."""
    if not isinstance(details, dict):
        return {"_form": str(details)} if details else {}
    by_path = _all_fields(fields, data)
    errors: dict[str, str] = {}
    for path, messages in details.items():
        item = by_path.get(path)
        raw = "; ".join(messages) if isinstance(messages, list) else str(messages)
        errors[path] = _message(item, value_at(data, path), raw) if item else raw
    return errors


def _all_fields(fields: list[Field], data: dict[str, Any]) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for item in fields:
        found[item.path] = item
        if item.kind == "array":
            rows = value_at(data, item.path)
            for index in range(len(rows) if isinstance(rows, list) else 0):
                found.update(_all_fields(item.child(index), data))
    return found


def _message(item: Field, value: Any, raw: str) -> str:
    if value is None or value == "" or value == []:
        return _("Add at least one row.") if item.kind == "array" else _("This field is required.")
    if item.kind == "integer" and not isinstance(value, int):
        return _("Enter a whole number.")
    if item.kind == "number" and not isinstance(value, int | float):
        return _("Enter a number.")
    if item.kind == "date":
        return _("Enter a valid date as dd-mm-yyyy.")
    if item.options and value not in [v for v, _label in item.options]:
        return _("Choose one of the options.")
    if item.minimum is not None and item.maximum is not None:
        return _("Enter a value from %(min)s to %(max)s.", min=item.minimum, max=item.maximum)
    if item.minimum is not None:
        return _("Enter a value of at least %(min)s.", min=item.minimum)
    if item.maximum is not None:
        return _("Enter a value of at most %(max)s.", max=item.maximum)
    return raw
