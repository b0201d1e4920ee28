"""One client along each route of the main trajectory, over HTTP, checking phase, tasks and history."""

from __future__ import annotations

from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver


def _through_nazorg_to_outflow(case: CaseDriver, reason: str) -> None:
    for months in ("1_maand", "3_maanden", "6_maanden"):
        case.wait_for_timer(f"nazorg_termijn_{months}")
        case.complete(f"nazorg_{months}", a.NAZORG, phase="nazorg")
    case.complete("uitstroom_registreren", a.outflow(reason), phase="uitstroom")


def test_werk_route_with_lks_and_jobcoach_to_durable_outflow(server, deployed, clock):
    case = CaseDriver.start(server, deployed, clock, bsn="111222333", birth_date="1980-05-17")
    detail = case.case()
    assert detail["status"] == "active" and detail["phase"] == "aanvraag"
    assert detail["client"]["bsn"] == "******333"
    assert [t["element_id"] for t in detail["waiting_timers"]] == ["beslistermijn"]
    case.complete("aanvraag_beoordelen", a.AANV_OK, phase="aanvraag")
    case.complete("brede_intake", a.intake(5), phase="intake")
    case.complete("diagnose", a.diagnose("volledig", "laag", False), phase="diagnose")
    assert case.case()["route"] == "werk"
    case.complete("plan_van_aanpak", a.PVA, phase="plan_van_aanpak")
    case.complete("match_werkgever", a.MATCH, phase="plaatsing")
    case.complete("trajectplan_werkgever", a.trajectplan(True, True, True))
    case.complete("proefplaatsing_starten", a.PROEF)
    case.wait_for_timer("proefplaatsing_termijn")
    case.complete("proefplaatsing_evalueren", a.PROEF_EV)
    case.complete("loonwaardebepaling", a.LOONW)
    case.complete("lks_besluit", a.LKS)
    case.complete("jobcoach_inzetten", a.JC)
    case.complete("plaatsing_starten", a.PLAATS)
    _through_nazorg_to_outflow(case, "werk")
    case.wait_for_timer("duurzaamheid_termijn")
    result = case.complete("duurzaamheid_controleren", a.DUURZ)
    assert result["case_status"] == "completed"
    final = case.case()
    assert final["status"] == "completed" and final["phase"] == "afgesloten" and final["closed_at"]
    assert final["open_tasks"] == [] and final["waiting_timers"] == []
    assert final["data"]["nog_uit_uitkering"] is True and final["data"]["uitstroom_reden"] == "werk"
    history = case.history()
    kinds = [e["kind"] for e in history]
    assert kinds[0] == "case_started" and kinds[-1] == "case_completed"
    completed = [e for e in history if e["kind"] == "task_completed"]
    assert [e["actor"] for e in completed][:3] == ["klantmanager"] * 3
    assert {"loonwaardedeskundige", "jobcoach", "werkgeversadviseur"} <= {e["actor"] for e in completed}
    phases = [e["details"]["to"] for e in history if e["kind"] == "phase_changed"]
    assert phases[:5] == ["aanvraag", "intake", "diagnose", "plan_van_aanpak", "plaatsing"]
    assert "nazorg" in phases and "uitstroom" in phases


def test_ontwikkeling_loops_back_to_diagnose(server, deployed, clock):
    case = CaseDriver.start(server, deployed, clock, bsn="123456782", birth_date="2004-02-01")
    assert case.case()["phase"] == "melding"
    case.wait_for_timer("zoekperiode")
    case.wait_for_timer("beslistermijn")
    case.complete("besluit_verdagen", a.VERDAGEN)
    case.complete("aanvraag_beoordelen", a.AANV_OK)
    case.complete("brede_intake", a.intake(3))
    case.complete("diagnose", a.diagnose("volledig", "gemiddeld", False))
    assert case.case()["route"] == "ontwikkeling"
    case.complete("plan_van_aanpak", a.PVA)
    case.complete("instrumenten_inzetten", a.INSTR, phase="ontwikkeling")
    case.wait_for_timer("evaluatietermijn")
    case.complete("ontwikkeling_evalueren", a.evaluation(3, "doorgaan"))
    case.wait_for_timer("evaluatietermijn")
    case.complete("ontwikkeling_evalueren", a.evaluation(4, "herdiagnose"))
    case.complete("diagnose", a.diagnose("volledig", "laag", False), phase="diagnose")
    assert case.case()["route"] == "werk"
    case.complete("plan_van_aanpak", a.PVA)
    case.complete("match_werkgever", a.MATCH, phase="plaatsing")
    case.complete("trajectplan_werkgever", a.trajectplan(False, False, False))
    case.complete("plaatsing_starten", a.PLAATS)
    _through_nazorg_to_outflow(case, "werk")
    case.wait_for_timer("duurzaamheid_termijn")
    case.complete("duurzaamheid_controleren", a.DUURZ)
    assert case.case()["status"] == "completed"
    history = case.history()
    diagnoses = [e for e in history if e["kind"] == "task_completed" and e["element_id"] == "diagnose"]
    assert len(diagnoses) == 2
    routes = [e["details"]["route"] for e in history if e["kind"] == "route_chosen"]
    assert routes == ["ontwikkeling", "werk"]
    cancelled = [e for e in history if e["kind"] == "task_cancelled"]
    assert [e["element_id"] for e in cancelled] == ["aanvraag_beoordelen"]


def test_beschut_werk_negative_then_positive_advice(server, deployed, clock):
    case = CaseDriver.start(server, deployed, clock, bsn="100000034", birth_date="1975-09-09")
    case.complete("aanvraag_beoordelen", a.AANV_OK)
    case.complete("brede_intake", a.intake(2))
    case.complete("diagnose", a.diagnose("beperkt", "hoog", False))
    assert case.case()["route"] == "beschut_werk"
    case.complete("plan_van_aanpak", a.PVA)
    case.complete("uwv_advies_aanvragen", a.UWV_AANV, phase="beschut_werk")
    case.complete("uwv_advies_registreren", a.uwv("negatief"))
    case.complete("negatief_advies_bespreken", a.negative("opnieuw_aanvragen"))
    timer = case.case()["waiting_timers"][0]
    assert timer["element_id"] == "wachttijd_nieuwe_aanvraag"
    assert timer["due_at"].startswith("2027-03-02")
    case.wait_for_timer("wachttijd_nieuwe_aanvraag")
    case.complete("uwv_advies_aanvragen", a.UWV_AANV)
    case.complete("uwv_advies_registreren", a.uwv("positief"))
    case.complete("indicatie_besluit", a.INDIC)
    result = case.complete("plaatsing_beschut_werk", a.PL_BESCH)
    assert result["case_status"] == "completed"
    final = case.case()
    assert final["data"]["vervolg"] == "geplaatst" and final["data"]["werklocatie"] == "Westrom"
    advices = [
        e for e in case.history() if e["kind"] == "task_completed" and e["element_id"] == "uwv_advies_registreren"
    ]
    assert len(advices) == 2


def test_dagbesteding_hands_over_to_wmo(server, deployed, clock):
    case = CaseDriver.start(server, deployed, clock, bsn="999999990", birth_date="1960-01-01", municipality="leudal")
    case.complete("aanvraag_beoordelen", a.AANV_OK)
    case.complete("brede_intake", a.intake(1))
    case.complete("diagnose", a.diagnose("geen", "hoog", True))
    assert case.case()["route"] == "dagbesteding"
    case.complete("plan_van_aanpak", a.PVA)
    case.complete("overdracht_wmo", a.OVERDR, phase="dagbesteding")
    task = case.open_task()
    assert task["candidate_group"] == "wmo_consulent"
    result = case.complete("indicatie_dagbesteding", a.IND_DAG)
    assert result["case_status"] == "completed"
    assert case.case()["municipality"] == "leudal"


def test_rejected_application_closes_the_case(server, deployed, clock):
    case = CaseDriver.start(server, deployed, clock, bsn="111222333", birth_date="2005-06-30")
    case.wait_for_timer("zoekperiode")
    result = case.complete("aanvraag_beoordelen", a.AANV_AF)
    assert result["case_status"] == "completed"
    assert case.case()["waiting_timers"] == []
