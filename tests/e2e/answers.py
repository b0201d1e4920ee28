"""Minimal valid answers for the forms of the shipped processes."""

from __future__ import annotations

from typing import Any

AANV_OK = {"besluit": "toegekend", "besluit_datum": "2026-03-20"}
AANV_AF = {"besluit": "afgewezen", "besluit_datum": "2026-03-20"}
VERDAGEN = {
    "verdaging_reden": "Medisch advies nodig",
    "nieuwe_beslisdatum": "2026-06-01",
    "aanvrager_geinformeerd": True,
}
PVA = {"doelen": "Betaald werk binnen een jaar", "evaluatie_datum": "2026-09-01", "ondertekend": True}
MATCH = {"werkgever_naam": "Bakkerij Jansen", "kvk_nummer": "12345678", "functie": "Productiemedewerker", "uren": 24}
PROEF = {"proefplaatsing_duur": "P3M", "proefplaatsing_startdatum": "2026-04-01"}
PROEF_EV = {"geschikt": True}
LOONW = {"loonwaarde_percentage": 65, "meetdatum": "2026-07-01"}
LKS = {"lks_toegekend": True, "lks_besluit_datum": "2026-07-10"}
JC = {"jobcoach_uren_per_week": 4, "jobcoach_startdatum": "2026-07-15"}
PLAATS = {"startdatum_werk": "2026-07-15", "contractvorm": "bepaalde_tijd"}
NAZORG = {"contact_datum": "2026-08-15", "nog_aan_het_werk": True}
DUURZ = {"nog_uit_uitkering": True}
INSTR = {"ingezette_instrumenten": [{"instrument": "taaltraject"}]}
ACTIV = {"activiteit_soort": "vrijwilligerswerk"}
UWV_AANV = {"uwv_aanvraag_datum": "2026-03-01"}
RAPPEL = {"rappel_datum": "2026-05-01"}
INDIC = {"indicatie_datum": "2027-05-01"}
PL_BESCH = {"werklocatie": "Westrom", "plaatsing_startdatum": "2027-06-01"}
OVERDR = {"overdracht_datum": "2026-03-01", "toestemming_client": True}
IND_DAG = {"aanbieder": "Zorggroep Noord", "startdatum_dagbesteding": "2026-04-01"}


def intake(rung: int) -> dict[str, Any]:
    return {"ladder_trede": rung, "schulden": False, "kinderopvang": False}


def diagnose(capacity: str, support: str, wmo: bool) -> dict[str, Any]:
    return {"arbeidsvermogen": capacity, "begeleidingsbehoefte": support, "wmo_indicatie": wmo}


def trajectplan(trial: bool, subsidy: bool, coach: bool) -> dict[str, Any]:
    return {
        "doelen": "Zelfstandig productiewerk",
        "startdatum": "2026-04-01",
        "proefplaatsing": trial,
        "loonkostensubsidie": subsidy,
        "jobcoach": coach,
    }


def outflow(reason: str) -> dict[str, Any]:
    return {"uitstroom_reden": reason, "uitstroom_datum": "2027-01-15"}


def evaluation(rung: int, next_step: str) -> dict[str, Any]:
    return {"ladder_trede": rung, "vervolg": next_step}


def uwv(advice: str) -> dict[str, Any]:
    return {"uwv_advies": advice, "uwv_advies_datum": "2026-04-15"}


def negative(next_step: str) -> dict[str, Any]:
    return {"vervolg_na_negatief": next_step}
