"""Task forms from JSON Schema: fields described, posted strings parsed to typed JSON, errors phrased;
and the Dutch catalogue covers every UI string."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel
from werkzeug.datastructures import MultiDict

from trajectflow.web.formdata import describe, display_value, friendly_errors, parse_submission

ROOT = Path(__file__).resolve().parents[2]


def _schema(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((ROOT / "forms" / name).read_text())


def test_fields_follow_the_schema():
    fields = {f.name: f for f in describe(_schema("brede_intake.json"))}
    assert fields["ladder_trede"].kind == "select" and fields["ladder_trede"].required
    assert fields["ladder_trede"].options[0] == (1, "1 - Geïsoleerd")
    assert fields["werkervaring"].kind == "textarea" and fields["schulden"].kind == "boolean"
    besluit = {f.name: f for f in describe(_schema("aanvraag_besluit.json"))}
    assert besluit["besluit"].kind == "radio" and besluit["besluit_datum"].kind == "date"
    instrumenten = describe(_schema("instrumenten.json"))[0]
    assert instrumenten.kind == "array" and [f.name for f in instrumenten.item_fields][:2] == [
        "instrument",
        "aanbieder",
    ]
    assert instrumenten.child(1)[0].path == "ingezette_instrumenten.1.instrument"


def test_posted_values_become_typed_json_and_bad_ones_stay_strings():
    form = MultiDict(
        {
            "data.ladder_trede": "4",
            "data.schulden": "false",
            "data.kinderopvang": "true",
            "data.werkervaring": "  ",
        }
    )
    assert parse_submission(_schema("brede_intake.json"), form) == {
        "ladder_trede": 4,
        "schulden": False,
        "kinderopvang": True,
    }
    rows = MultiDict(
        {
            "rows.data.ingezette_instrumenten": "2",
            "data.ingezette_instrumenten.0.instrument": "stage",
            "data.ingezette_instrumenten.0.startdatum": "1-4-2026",
            "data.ingezette_instrumenten.1.startdatum": "2026-13-01",
        }
    )
    parsed = parse_submission(_schema("instrumenten.json"), rows)
    assert parsed == {
        "ingezette_instrumenten": [{"instrument": "stage", "startdatum": "2026-04-01"}, {"startdatum": "2026-13-01"}]
    }


def test_errors_are_phrased_per_field(app_context):  # type: ignore[no-untyped-def]
    fields = describe(_schema("instrumenten.json"))
    data = {"ingezette_instrumenten": [{"startdatum": "2026-13-01"}]}
    details = {
        "ingezette_instrumenten.0.instrument": ["'instrument' is a required property"],
        "ingezette_instrumenten.0.startdatum": ["'2026-13-01' is not a 'date'"],
    }
    errors = friendly_errors(fields, data, details)
    assert errors == {
        "ingezette_instrumenten.0.instrument": "Dit veld is verplicht.",
        "ingezette_instrumenten.0.startdatum": "Vul een geldige datum in als dd-mm-jjjj.",
    }
    assert display_value(fields[0].item_fields[2], "2026-04-01") == "01-04-2026"


def test_every_ui_string_has_a_dutch_translation():
    with (ROOT / "src/trajectflow/translations/nl/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    untranslated = [m.id for m in catalogue if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == []
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(ROOT / "src/trajectflow/web", method_map=method_map, keywords=keywords)
    }
    assert sorted(found - known) == []


@pytest.fixture
def app_context():  # type: ignore[no-untyped-def]
    app = Flask(__name__, root_path=str(ROOT / "src/trajectflow"))
    Babel(app, locale_selector=lambda: "nl")
    with app.test_request_context():
        yield
