"""A small Meedoen Werkt programme end to end over HTTP: employers with workplaces, matches, trajectplans
with kostenverdeling, placements, outflow and the progress figures; KPI exports read back as XLSX."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import update

from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver
from trajectflow.store.models import User

WGA, TL = "werkgeversadviseur", "teamleider"
KOSTEN = [
    {"post": "loon", "betaald_door": "werkgever", "bedrag": 1800},
    {"post": "loonkostensubsidie", "betaald_door": "gemeente", "bedrag": 700},
    {"post": "jobcoach", "betaald_door": "uwv"},
]


def ok(response, status: int = 200) -> Any:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def laborijn(deployed):  # type: ignore[no-untyped-def]
    """Meedoen Werkt runs in Oude IJsselstreek: the role accounts work at Laborijn, which serves it."""
    with deployed.uow() as uow:
        uow.session.execute(update(User).values(organisation="laborijn", municipality=None))
        uow.commit()
    return deployed


def test_meedoen_werkt_programme_end_to_end(server, laborijn, clock):  # type: ignore[no-untyped-def]
    s, deployed = server, laborijn
    programme = ok(
        s.request(
            "POST",
            "/api/programmes",
            user=TL,
            json={
                "code": "meedoen-werkt-2026",
                "name": "Meedoen Werkt 2026",
                "start_date": "2026-01-01",
                "end_date": "2026-12-31",
                "municipalities": ["oude-ijsselstreek"],
                "target_residents_to_work": 100,
                "target_employers_with_workplace": 100,
                "enrolment_rule": {"routes": ["werk"], "max_ladder_rung": 4},
            },
        ),
        201,
    )["programme"]
    pid = programme["id"]
    bad_kvk = s.request("POST", "/api/employers", user=WGA, json={"name": "X", "kvk_number": "1234567"})
    assert bad_kvk.status_code == 422 and "kvk_number" in bad_kvk.json()["details"]
    assert (
        s.request(
            "POST", "/api/employers", user="klantmanager", json={"name": "X", "kvk_number": "12345678"}
        ).status_code
        == 403
    )
    mabeon = ok(
        s.request(
            "POST",
            "/api/employers",
            user=WGA,
            json={
                "name": "Mabeon",
                "kvk_number": "0912 3456",
                "sector": "schoonmaak",
                "municipality": "Oude IJsselstreek",
                "location": "Silvolde",
                "contacts": [{"name": "R. Migchelbrink", "email": "rob@example.org"}],
            },
        ),
        201,
    )
    assert mabeon["kvk_number"] == "09123456" and mabeon["municipality"] == "oude-ijsselstreek"
    bakker = ok(
        s.request("POST", "/api/employers", user=WGA, json={"name": "Bakkerij Jansen", "kvk_number": "12345678"}), 201
    )
    assert (
        s.request("POST", "/api/employers", user=WGA, json={"name": "Dubbel", "kvk_number": "12345678"}).status_code
        == 409
    )
    places = {}
    for employer, description, in_programme in [
        (mabeon, "Schoonmaak sportpark", True),
        (bakker, "Inpakken", True),
        (bakker, "Bezorgen", False),
    ]:
        body = {"description": description, "hours_per_week": 16, **({"programme_id": pid} if in_programme else {})}
        places[description] = ok(
            s.request("POST", f"/api/employers/{employer['id']}/workplaces", user=WGA, json=body), 201
        )["id"]

    helena = CaseDriver.start(
        s, deployed, clock, bsn="111222333", birth_date="1985-02-01", municipality="oude-ijsselstreek"
    )
    piet = CaseDriver.start(
        s, deployed, clock, bsn="123456782", birth_date="1979-07-01", municipality="oude-ijsselstreek"
    )
    early = s.request(
        "POST", f"/api/programmes/{pid}/enrolments", user="klantmanager", json={"case_id": helena.case_id}
    )
    assert early.status_code == 422  # no route yet: the enrolment rule wants route werk
    for case, place, kvk in [(helena, "Schoonmaak sportpark", "09123456"), (piet, "Inpakken", "12345678")]:
        case.complete("aanvraag_beoordelen", a.AANV_OK)
        case.complete("brede_intake", a.intake(4))
        case.complete("diagnose", a.diagnose("volledig", "laag", False))
        ok(
            s.request("POST", f"/api/programmes/{pid}/enrolments", user="klantmanager", json={"case_id": case.case_id}),
            204,
        )
        case.complete("plan_van_aanpak", a.PVA)
        # a workplace of another employer is refused, and nothing changes
        task = case.open_task()
        wrong = {
            **a.MATCH,
            "kvk_nummer": kvk,
            "werkplek_id": places["Bezorgen" if kvk != "12345678" else "Schoonmaak sportpark"],
        }
        refused = s.request("POST", f"/api/tasks/{task['id']}/complete", user=WGA, json={"data": wrong})
        assert refused.status_code == 422 and case.open_task()["id"] == task["id"]
        case.complete(
            "match_werkgever", {**a.MATCH, "kvk_nummer": kvk, "werkplek_id": places[place], "meedoen_werkt": True}
        )
        plan = {
            **a.trajectplan(False, True, True),
            "kostenverdeling": KOSTEN,
            "ontwikkelafspraken": [{"afspraak": "Zelfstandig werken", "datum": "2026-06-01"}],
        }
        case.complete("trajectplan_werkgever", plan)
        case.complete("loonwaardebepaling", a.LOONW)
        case.complete("lks_besluit", a.LKS)
        case.complete("jobcoach_inzetten", a.JC)
        case.complete("plaatsing_starten", {**a.PLAATS, "startdatum_werk": "2026-04-01"})
    for months in ("1_maand", "3_maanden", "6_maanden"):
        helena.wait_for_timer(f"nazorg_termijn_{months}")
        helena.complete(f"nazorg_{months}", a.NAZORG)
    helena.complete("uitstroom_registreren", {**a.outflow("werk"), "ladder_trede": 6})

    page = ok(s.request("GET", f"/api/employers/{mabeon['id']}", user="jobcoach"))
    assert [w["status"] for w in page["workplaces"]] == ["filled"]
    assert [(p["case_id"], p["client"]["bsn"], p["start_date"]) for p in page["placements"]] == [
        (helena.case_id, "******333", "2026-04-01")
    ]
    (plan,) = page["plans"]
    assert plan["cost_sharing"] == KOSTEN and plan["instruments"] == ["loonkostensubsidie", "jobcoach"]
    assert plan["agreements"][0]["datum"] == "2026-06-01" and plan["case_id"] == helena.case_id
    kinds = [e["kind"] for e in page["history"]]
    assert kinds == ["employer_registered", "workplace_added", "plan_agreed", "placement_started"]
    evaluated = ok(
        s.request(
            "POST",
            f"/api/employer-plans/{plan['id']}/evaluations",
            user="jobcoach",
            json={"date": "2026-05-01", "outcome": "op_koers"},
        ),
        201,
    )
    assert evaluated["evaluations"][0]["by"] == "jobcoach"
    assert (
        ok(s.request("GET", f"/api/employer-plans?case_id={helena.case_id}", user="klantmanager"))[0]["id"]
        == plan["id"]
    )
    assert "employer_plan_evaluated" in [e["kind"] for e in helena.history()]

    progress = ok(s.request("GET", f"/api/programmes/{pid}", user="klantmanager"))
    assert (progress["enrolled"], progress["residents_to_work"], progress["employers_with_workplace"]) == (2, 2, 2)
    by_month = {m["month"]: m for m in progress["series"]}
    assert by_month["2026-03"]["residents_to_work"] == 0 and by_month["2026-04"]["residents_to_work"] == 2
    assert by_month["2026-03"]["employers_with_workplace"] == 2

    query = f"programme={pid}&start=2026-01-01&end={clock.now().date().isoformat()}"
    kpis = {t["key"]: t for t in ok(s.request("GET", f"/api/kpis?{query}", user=TL))}
    assert kpis["outflow"]["rows"] == [["werk", 1]]
    assert dict(map(tuple, kpis["instruments"]["rows"]))["loonkostensubsidie"] == 2  # type: ignore[arg-type]
    assert dict(map(tuple, kpis["instruments"]["rows"]))["jobcoach"] == 2  # type: ignore[arg-type]
    assert kpis["reintegration"]["rows"][0] == ["werk", 1, 1, 100.0]
    for key in ("outflow", "instruments", "reintegration", "municipalities"):
        xlsx = s.request("GET", f"/api/kpis/{key}.xlsx?{query}", user=TL)
        assert xlsx.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == kpis[key]["columns"] and values[1:] == kpis[key]["rows"], key
    assert s.request("GET", f"/api/kpis?{query}", user="klantmanager").status_code == 403
