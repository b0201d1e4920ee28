"""Process designer pages over HTTP (no JavaScript): moving cases between versions."""

from __future__ import annotations

from tests.e2e.test_migration_api import parked  # noqa: F401  (fixture)


def test_migration_page_dry_runs_then_moves_cases(signed_in, parked) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert signed_in("klantmanager").get("/procesontwerp/migreren").status_code == 403
    teamleider = signed_in("teamleider")
    page = teamleider.get("/procesontwerp/migreren")
    assert page.status_code == 200 and "Zaken naar een andere versie zetten" in page.text
    assert "Zaken verzetten" in teamleider.get("/").text, "the menu shows the page"
    form = {"process_id": "verhuizen", "from_version": "1", "to_version": "2"}
    dry = teamleider.post("/procesontwerp/migreren", {**form, "run": "0"}, from_page="/procesontwerp/migreren")
    assert dry.status_code == 200 and "Proefdraaien: er is niets veranderd" in dry.text
    assert "1 van 2 zaak/zaken naar versie 2; 1 geblokkeerd." in dry.text
    assert "not in the new version: verhuizen/intake" in dry.text
    real = teamleider.post("/procesontwerp/migreren", {**form, "run": "1"}, from_page="/procesontwerp/migreren")
    assert "Zaken verzet" in real.text and f'data-case="{parked["aanmelden"]}"' in real.text
    again = teamleider.post("/procesontwerp/migreren", {**form, "run": "0"}, from_page="/procesontwerp/migreren")
    assert "0 van 1 zaak/zaken naar versie 2; 1 geblokkeerd." in again.text, "only the blocked case is left on v1"
    empty = teamleider.post("/procesontwerp/migreren", {"process_id": "verhuizen"}, from_page="/procesontwerp/migreren")
    assert empty.status_code == 422 and "Kies een proces en beide versies." in empty.text


def test_decision_tables_are_rendered_and_designer_pages_need_the_role(signed_in) -> None:  # type: ignore[no-untyped-def]
    assert signed_in("teamleider").get("/procesontwerp/").status_code == 403
    designer = signed_in("procesontwerper")
    index = designer.get("/procesontwerp/")
    assert index.status_code == 200 and "/procesontwerp/modeler/participatie_traject/1" in index.text
    page = designer.get("/procesontwerp/beslistabellen/participatie_traject/1")
    assert page.status_code == 200 and "Beslistabellen" in page.text
    assert 'data-decision="route_decision"' in page.text and "<strong>FIRST</strong>" in page.text
    assert "Arbeidsvermogen" in page.text and "<code>&#34;geen&#34;</code>" in page.text
    assert 'data-rule="rule_route_1"' in page.text
    assert designer.get("/procesontwerp/beslistabellen/participatie_traject/9").status_code == 404
    sources = designer.get("/procesontwerp/modeler/participatie_traject/1/bronnen.json").json()
    assert sources["main"] == "participatie_traject.bpmn" and "route_decision.dmn" in sources["files"]
    no_token = designer.http.post(
        designer.server.base_url + "/procesontwerp/valideren", json={"files": sources["files"]}
    )
    assert no_token.status_code == 400, "the modeler's JSON calls carry the CSRF header"
