"""A placed case from the web: the dossier shows its trajectplan with the employer (goals, ontwikkelafspraken,
kostenverdeling) and its placement, linked to the employer page; evaluations are added from the dossier and
from the employer page; cases are enrolled in a programme from its page and from the dossier, by its rule."""

from __future__ import annotations

import html
import re

from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver

WGA = "werkgeversadviseur"
KOSTEN = [{"post": "loonkostensubsidie", "betaald_door": "gemeente", "bedrag": 700}]


def _programme(server) -> int:  # type: ignore[no-untyped-def]
    body = {
        "code": "mw",
        "name": "Meedoen Werkt 2026",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "municipalities": ["roermond"],
        "target_residents_to_work": 10,
        "target_employers_with_workplace": 10,
        "enrolment_rule": {"routes": ["werk"]},
    }
    response = server.request("POST", "/api/programmes", user="teamleider", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["programme"]["id"])


def _placed_case(server, deployed, clock) -> tuple[CaseDriver, int]:  # type: ignore[no-untyped-def]
    employer = server.request("POST", "/api/employers", user=WGA, json={"name": "Mabeon", "kvk_number": "09123456"})
    employer_id = employer.json()["id"]
    place = server.request(
        "POST", f"/api/employers/{employer_id}/workplaces", user=WGA, json={"description": "Schoonmaak sportpark"}
    ).json()["id"]
    case = CaseDriver.start(
        server, deployed, clock, bsn="111222333", birth_date="1985-02-01", municipality="roermond"
    )
    case.complete("aanvraag_beoordelen", a.AANV_OK)
    case.complete("brede_intake", a.intake(4))
    case.complete("diagnose", a.diagnose("volledig", "laag", False))
    case.complete("plan_van_aanpak", a.PVA)
    case.complete("match_werkgever", {**a.MATCH, "kvk_nummer": "09123456", "werkplek_id": place})
    plan = {
        **a.trajectplan(False, True, True),
        "doelen": "Zelfstandig schoonmaken",
        "kostenverdeling": KOSTEN,
        "ontwikkelafspraken": [{"afspraak": "Zelfstandig werken", "datum": "2026-06-01"}],
    }
    case.complete("trajectplan_werkgever", plan)
    case.complete("loonwaardebepaling", a.LOONW)
    case.complete("lks_besluit", a.LKS)
    case.complete("jobcoach_inzetten", a.JC)
    case.complete("plaatsing_starten", {**a.PLAATS, "startdatum_werk": "2026-04-01"})
    return case, employer_id


def test_dossier_shows_plan_and_placement_and_takes_evaluations(server, deployed, clock, signed_in):  # type: ignore[no-untyped-def]
    case, employer_id = _placed_case(server, deployed, clock)
    dossier_path = f"/dossiers/{case.case_id}"
    caseworker = signed_in("klantmanager")
    dossier = caseworker.get(dossier_path).text
    section = html.unescape(dossier[dossier.index('id="employment"') :])
    assert f'<a href="/werkgevers/{employer_id}">Mabeon</a>' in section
    placement = re.search(r'<table id="case-placements">.*?</table>', section, re.S).group(0)  # type: ignore[union-attr]
    assert "Schoonmaak sportpark" in placement and "1 apr 2026" in placement
    assert "Zelfstandig schoonmaken" in section and "Zelfstandig werken (2026-06-01)" in section
    assert "<td>loonkostensubsidie</td><td>gemeente</td><td>700</td>" in section
    assert "Nog niet geëvalueerd." in section
    plan_id = re.search(r"/trajectplannen/(\d+)/evaluaties", section).group(1)  # type: ignore[union-attr]
    assert f'<label for="ev-outcome-{plan_id}">Uitkomst van de evaluatie</label>' in section

    evaluated = caseworker.post(
        f"/trajectplannen/{plan_id}/evaluaties",
        {"date": "2026-05-01", "outcome": "bijsturen", "note": "Meer begeleiding", "next": dossier_path},
        from_page=dossier_path,
    )
    assert evaluated.url.endswith(dossier_path + "#employment") or evaluated.url.endswith(dossier_path)
    assert "Evaluatie toegevoegd." in evaluated.text
    assert "2026-05-01: bijsturen — Meer begeleiding (klantmanager)" in evaluated.text
    assert f"Trajectplan {plan_id} geëvalueerd: bijsturen" in evaluated.text  # the case's timeline
    bad = caseworker.post(
        f"/trajectplannen/{plan_id}/evaluaties", {"date": "", "outcome": "op_koers", "next": dossier_path}, dossier_path
    )
    assert "De evaluatie is niet toegevoegd: geef een datum en een uitkomst." in bad.text

    employer_path = f"/werkgevers/{employer_id}"
    adviser = signed_in(WGA)
    on_employer = adviser.post(
        f"/trajectplannen/{plan_id}/evaluaties",
        {"date": "2026-06-01", "outcome": "op_koers", "next": employer_path},
        from_page=employer_path,
    )
    assert on_employer.url.endswith(employer_path) and "2026-06-01: op koers (werkgeversadviseur)" in on_employer.text
    assert f"Trajectplan {plan_id} (dossier {case.case_id}) geëvalueerd" in on_employer.text
    refused = signed_in("teamleider").post(
        f"/trajectplannen/{plan_id}/evaluaties", {"date": "2026-06-02", "outcome": "gestopt", "next": employer_path}
    )
    assert "Alleen klantmanagers en begeleiders van de plaatsing mogen een plan evalueren." in refused.text
    assert "gestopt" not in server.request("GET", f"/api/employer-plans/{plan_id}", user=WGA).text


def test_enrolment_from_programme_page_and_dossier(server, deployed, clock, signed_in):  # type: ignore[no-untyped-def]
    programme_id = _programme(server)
    programme_path = f"/programmas/{programme_id}"
    case = CaseDriver.start(
        server, deployed, clock, bsn="123456782", birth_date="1979-07-01", municipality="roermond"
    )
    caseworker = signed_in("klantmanager")
    page = caseworker.get(programme_path).text
    assert '<label for="enrol-case">Zaaknummer</label>' in page and "Inschrijvingsregel" in page
    form = {"case_id": str(case.case_id), "next": programme_path}
    early = caseworker.post(f"{programme_path}/inschrijvingen", form, from_page=programme_path)
    assert f"Zaak {case.case_id} voldoet niet aan de inschrijvingsregel: route - is not one of" in html.unescape(
        early.text
    )
    assert re.search(r'id="enrolled">0<', early.text)
    unknown = caseworker.post(f"{programme_path}/inschrijvingen", {**form, "case_id": "999999"}, programme_path)
    assert "Zaak 999999 bestaat niet." in unknown.text

    case.complete("aanvraag_beoordelen", a.AANV_OK)
    case.complete("brede_intake", a.intake(4))
    case.complete("diagnose", a.diagnose("volledig", "laag", False))
    enrolled = caseworker.post(f"{programme_path}/inschrijvingen", form, from_page=programme_path)
    assert f"Zaak {case.case_id} ingeschreven." in enrolled.text and re.search(r'id="enrolled">1<', enrolled.text)
    again = caseworker.post(f"{programme_path}/inschrijvingen", form, from_page=programme_path)
    assert f"Zaak {case.case_id} is al ingeschreven." in again.text

    dossier_path = f"/dossiers/{case.case_id}"
    dossier = caseworker.get(dossier_path).text
    assert '<label for="enrol-programme">Programma</label>' in dossier
    from_dossier = caseworker.post(
        "/programmas/inschrijvingen",
        {"programme_id": str(programme_id), "case_id": str(case.case_id), "next": dossier_path},
        from_page=dossier_path,
    )
    assert from_dossier.url.endswith(dossier_path) and "is al ingeschreven." in from_dossier.text
    assert "Ingeschreven in &#39;Meedoen Werkt 2026&#39;" in from_dossier.text  # the case's timeline
    jobcoach = signed_in("jobcoach")
    assert "Zaak inschrijven" not in jobcoach.get(programme_path).text
    refused = jobcoach.post(f"{programme_path}/inschrijvingen", form, from_page=programme_path)
    assert "U mag geen zaken inschrijven." in refused.text
