"""Billable records: one per trajectory of a purchased-service municipality (Echt-Susteren and Leudal buy from
Werkbedrijf Roermond), never for Roermond (an owner) nor for beschut werk (Westrom, owned by all five);
GET /api/kpis/billing/records (+ CSV) for teamleider and beheerder, tenancy-scoped; the reports page links it."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver
from tests.e2e.web.conftest import Browserless
from trajectflow.services.users import ensure_user

COLUMNS = ["case_id", "municipality", "organisation", "route", "start", "end"]


def _to_route(case: CaseDriver, rung: int, capacity: str, support: str) -> None:
    case.complete("aanvraag_beoordelen", a.AANV_OK)
    case.complete("brede_intake", a.intake(rung))
    case.complete("diagnose", a.diagnose(capacity, support, False))


def _route_days(case: CaseDriver) -> dict[str, str]:
    """Route → the day it was chosen, from the case's history."""
    return {(e["details"] or {})["route"]: e["at"][:10] for e in case.history() if e["kind"] == "route_chosen"}


def _world(server, deployed, clock):  # type: ignore[no-untyped-def]
    start = clock.now().date()
    leudal = CaseDriver.start(server, deployed, clock, bsn="111222333", birth_date="1980-02-01", municipality="leudal")
    _to_route(leudal, 3, "volledig", "gemiddeld")  # ontwikkeling …
    leudal.complete("plan_van_aanpak", a.PVA)
    leudal.complete("instrumenten_inzetten", a.INSTR)
    leudal.wait_for_timer("evaluatietermijn")
    leudal.complete("ontwikkeling_evalueren", a.evaluation(4, "herdiagnose"))
    leudal.complete("diagnose", a.diagnose("volledig", "laag", False))  # … then werk: two trajectories
    echt = CaseDriver.start(server, deployed, clock, bsn="123456782", birth_date="1979-07-01",
                            municipality="echt-susteren")  # fmt: skip
    _to_route(echt, 4, "volledig", "laag")
    roermond = CaseDriver.start(server, deployed, clock, bsn="100000010", birth_date="1990-11-23")
    _to_route(roermond, 4, "volledig", "laag")
    sheltered = CaseDriver.start(server, deployed, clock, bsn="100000034", birth_date="1975-09-09",
                                 municipality="leudal")  # fmt: skip
    _to_route(sheltered, 2, "beperkt", "hoog")
    assert [c.case()["route"] for c in (leudal, echt, roermond, sheltered)] == ["werk", "werk", "werk", "beschut_werk"]
    return start, leudal, echt, roermond, sheltered


def test_one_record_per_billable_trajectory(server, deployed, clock):  # type: ignore[no-untyped-def]
    first_day, leudal, echt, _roermond, _sheltered = _world(server, deployed, clock)
    today = clock.now().date()
    query = f"start={first_day.isoformat()}&end={today.isoformat()}"
    response = server.request("GET", f"/api/kpis/billing/records?{query}", user="teamleider")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["key"] == "billing_records" and body["columns"] == COLUMNS
    rows = body["rows"]
    routes, echt_start = _route_days(leudal), _route_days(echt)["werk"]
    assert sorted(rows, key=lambda r: (r[0], r[4])) == [
        [leudal.case_id, "leudal", "werkbedrijf-roermond", "ontwikkeling", routes["ontwikkeling"], routes["werk"]],
        [leudal.case_id, "leudal", "werkbedrijf-roermond", "werk", routes["werk"], None],
        [echt.case_id, "echt-susteren", "werkbedrijf-roermond", "werk", echt_start, None],
    ]
    assert routes["ontwikkeling"] < routes["werk"]
    # the records behind the monthly billing: as many trajectories started as records starting in the period
    billing = server.request("GET", f"/api/billing?{query}", user="teamleider").json()["rows"]
    assert sum(row[4] for row in billing) == len(rows)

    earlier = f"start={(first_day - timedelta(days=60)).isoformat()}&end={(first_day - timedelta(days=1)).isoformat()}"
    assert server.request("GET", f"/api/kpis/billing/records?{earlier}", user="teamleider").json()["rows"] == []
    only_echt = server.request("GET", f"/api/kpis/billing/records?{query}&municipality=echt-susteren", user="beheerder")
    assert only_echt.status_code == 200 and [r[0] for r in only_echt.json()["rows"]] == [echt.case_id]

    csv_file = server.request("GET", f"/api/kpis/billing/records.csv?{query}", user="teamleider")
    assert csv_file.status_code == 200
    assert csv_file.headers["Content-Disposition"] == 'attachment; filename="billing_records.csv"'
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == COLUMNS and len(lines) == 4
    assert f"{echt.case_id};echt-susteren;werkbedrijf-roermond;werk;{echt_start};" in lines


def test_roles_and_tenancy(server, deployed, clock):  # type: ignore[no-untyped-def]
    _world(server, deployed, clock)
    path = "/api/kpis/billing/records"
    for user, status in [("klantmanager", 403), ("werkgeversadviseur", 403), ("procesontwerper", 403)]:
        response = server.request("GET", path, user=user)
        assert response.status_code == status and response.json()["error"] == "forbidden", user
        assert server.request("GET", path + ".csv", user=user).status_code == status
    assert len(server.request("GET", path, user="beheerder").json()["rows"]) == 3
    # Laborijn serves Oude IJsselstreek only: none of these trajectories is theirs to see
    assert server.request("GET", path, user="teamleider-laborijn").json()["rows"] == []
    assert server.request("GET", path).status_code == 401


def test_the_billing_page_links_the_records(server, deployed, clock):  # type: ignore[no-untyped-def]
    first_day, _leudal, echt, _roermond, _sheltered = _world(server, deployed, clock)
    ensure_user(deployed, "tl-billing", ["teamleider"], "demo", "TL", organisation="werkbedrijf-roermond")
    browser = Browserless(server, "tl-billing")
    page = browser.get(f"/teamleider/rapportages?start={first_day.isoformat()}&end={clock.now().date().isoformat()}")
    assert page.status_code == 200
    section = html.unescape(page.text[page.text.index('id="report-billing"') :])
    link = re.search(r'href="(/teamleider/rapportages/billing-records\.csv\?[^"]*)"[^>]*>([^<]*)<', section)
    assert link is not None and link.group(2) == "Factuurregels per traject (CSV)"
    download = browser.get(html.unescape(link.group(1)))
    assert download.status_code == 200
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == ["Zaak", "Gemeente", "Organisatie", "Route", "Begin", "Einde"]
    assert f"{echt.case_id};Echt-Susteren;Werkbedrijf Roermond;werk;{_route_days(echt)['werk']};" in lines
    ensure_user(deployed, "km-billing", ["klantmanager"], "demo", "KM", organisation="werkbedrijf-roermond")
    assert Browserless(server, "km-billing").get(html.unescape(link.group(1))).status_code == 403
