"""Every place a BSN enters checks the 11-proef and answers with a clear field error, changing nothing:
the API melding, the melding page, case search (API) and the worklist search box, a task form field of
format `bsn`, and `trajectflow inzage --bsn`. Lists show the BSN masked."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import func, select

from tests.e2e.web.conftest import Browserless
from trajectflow.cli import main
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.users import ensure_user
from trajectflow.store.models import Case, Client

FAILS = "123456789"  # nine digits, weighted sum 165 + … not divisible by 11
VALID = "111222333"
CLIENT = {"name": "Els de Wit", "birth_date": "1975-09-09"}
PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_bsn" targetNamespace="urn:test">
  <bpmn:process id="bsn_partner" name="Partner registreren" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_km" name="klantmanager">
      <bpmn:flowNodeRef>partner</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="begin" />
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="partner" />
    <bpmn:userTask id="partner" name="Partner vastleggen"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="partner.json" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="partner" targetRef="einde" />
    <bpmn:endEvent id="einde" />
  </bpmn:process>
</bpmn:definitions>
"""
FORM = """{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": "Partner",
 "properties": {"partner_bsn": {"type": "string", "format": "bsn", "title": "BSN partner"}},
 "required": ["partner_bsn"], "additionalProperties": false}"""


def _counts(ctx) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(Client)) or 0,
            uow.session.scalar(select(func.count()).select_from(Case)) or 0,
        )


def test_api_melding_refuses_a_bsn_failing_the_11_proef(server, deployed):  # type: ignore[no-untyped-def]
    for written in (FAILS, "1234.56.789", "000000000", "12345678X"):
        body = {"municipality": "roermond", "client": {"bsn": written, **CLIENT}}
        response = server.request("POST", "/api/cases", user="klantmanager", json=body)
        assert response.status_code == 422, (written, response.text)
        assert response.json()["error"] == "validation_failed"
        assert response.json()["details"] == {"client.bsn": ["not a valid BSN (11-proef)"]}
    assert _counts(deployed) == (0, 0)
    ok = server.request(
        "POST", "/api/cases", user="klantmanager", json={"municipality": "roermond", "client": {"bsn": VALID, **CLIENT}}
    )
    assert ok.status_code == 201 and ok.json()["client"]["bsn"] == "******333"


def _page_user(deployed) -> str:  # type: ignore[no-untyped-def]
    ensure_user(deployed, "km-bsn-pages", ["klantmanager"], "demo", "KM", organisation="werkbedrijf-roermond")
    return "km-bsn-pages"


def test_melding_page_refuses_it_with_a_field_error(server, deployed):  # type: ignore[no-untyped-def]
    browser = Browserless(server, _page_user(deployed))
    form = {"bsn": FAILS, **CLIENT, "birth_date": "1975-09-09", "municipality": "roermond"}
    refused = browser.post("/meldingen/nieuw", form, from_page="/meldingen/nieuw")
    assert refused.status_code == 422
    assert "Vul een geldig BSN in: 9 cijfers die de 11-proef doorstaan." in refused.text
    assert _counts(deployed) == (0, 0)
    saved = browser.post("/meldingen/nieuw", {**form, "bsn": VALID}, from_page="/meldingen/nieuw")
    assert saved.status_code == 200 and re.search(r"/dossiers/\d+$", saved.url) and _counts(deployed) == (1, 1)


def test_searches_refuse_it_and_lists_mask_the_bsn(server, deployed):  # type: ignore[no-untyped-def]
    created = server.request(
        "POST", "/api/cases", user="klantmanager", json={"municipality": "roermond", "client": {"bsn": VALID, **CLIENT}}
    )
    assert created.status_code == 201
    refused = server.request("GET", f"/api/cases?client={FAILS}", user="klantmanager")
    assert refused.status_code == 422 and refused.json()["details"] == {"client": ["not a valid BSN (11-proef)"]}
    found = server.request("GET", f"/api/cases?client={VALID}", user="klantmanager").json()["items"]
    assert [c["client"]["bsn"] for c in found] == ["******333"]
    by_number = server.request("GET", f"/api/cases?client={found[0]['client']['id']}", user="klantmanager")
    assert by_number.status_code == 200 and by_number.json()["total"] == 1

    browser = Browserless(server, _page_user(deployed))
    page = browser.get(f"/?view=groups&client={FAILS}")
    assert page.status_code == 200 and "Dit is geen geldig BSN: negen cijfers die de 11-proef doorstaan." in page.text
    listed = browser.get(f"/?view=groups&client={VALID}")
    rows = re.findall(r"<tbody>.*?</tbody>", listed.text, re.S)  # the search term itself is echoed in the form
    assert len(rows) == 1 and "******333" in rows[0] and VALID not in rows[0] and "geen geldig BSN" not in listed.text


def test_a_task_form_field_of_format_bsn_checks_the_11_proef(server, deployed, tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "processes").mkdir()
    (tmp_path / "forms").mkdir()
    (tmp_path / "processes" / "bsn_partner.bpmn").write_text(PROCESS)
    (tmp_path / "forms" / "partner.json").write_text(FORM)
    deploy_directory(deployed, tmp_path / "processes", tmp_path / "forms", "test")
    body = {"process_id": "bsn_partner", "municipality": "roermond", "client": {"bsn": VALID, **CLIENT}}
    case = server.request("POST", "/api/cases", user="klantmanager", json=body).json()
    (task,) = case["open_tasks"]
    assert server.request("POST", f"/api/tasks/{task['id']}/claim", user="klantmanager").status_code == 200
    refused = server.request(
        "POST", f"/api/tasks/{task['id']}/complete", user="klantmanager", json={"data": {"partner_bsn": FAILS}}
    )
    assert refused.status_code == 422 and list(refused.json()["details"]) == ["partner_bsn"]
    assert server.request("GET", f"/api/tasks/{task['id']}", user="klantmanager").json()["status"] == "open"
    done = server.request(
        "POST", f"/api/tasks/{task['id']}/complete", user="klantmanager", json={"data": {"partner_bsn": "123456782"}}
    )
    assert done.status_code == 200, done.text


def test_cli_inzage_by_bsn_checks_it(server, deployed, database, tmp_path):  # type: ignore[no-untyped-def]
    url, engine = database
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
        url += f"?options=-csearch_path%3D{schema}"
    created = server.request(
        "POST", "/api/cases", user="klantmanager", json={"municipality": "roermond", "client": {"bsn": VALID, **CLIENT}}
    )
    assert created.status_code == 201
    runner, out = CliRunner(), tmp_path / "inzage.json"
    env = {"TRAJECTFLOW_DATABASE_URL": url}
    refused = runner.invoke(main, ["inzage", "--bsn", FAILS, "--output", str(out)], env=env)
    assert refused.exit_code == 1 and "not a valid BSN (11-proef)" in refused.stderr and not out.exists()
    done = runner.invoke(main, ["inzage", "--bsn", VALID, "--format", "json", "--output", str(out)], env=env)
    assert done.exit_code == 0, done.output
    assert '"bsn": "111222333"' in out.read_text(encoding="utf-8") and "Els de Wit" in out.read_text(encoding="utf-8")
