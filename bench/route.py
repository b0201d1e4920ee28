"""The benchmarked trajectory: participatie_traject along the werk route with proefplaatsing,
loonkostensubsidie and jobcoach (17 user tasks, 5 timers), the route with the most user tasks.

Answers come from the e2e tests so the benchmark follows the forms when they change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.e2e import answers as a

from trajectflow.domain.deadlines import policy_for

PROCESS_ID = "participatie_traject"
MUNICIPALITY = "roermond"
CLIENT_BSN = "111222333"
CLIENT_NAME = "Bench Cliënt"
CLIENT_BIRTH = date(1980, 5, 17)

ANSWERS: dict[str, dict[str, Any]] = {
    "aanvraag_beoordelen": a.AANV_OK,
    "brede_intake": a.intake(5),
    "diagnose": a.diagnose("volledig", "laag", False),
    "plan_van_aanpak": a.PVA,
    "match_werkgever": a.MATCH,
    "trajectplan_werkgever": a.trajectplan(True, True, True),
    "proefplaatsing_starten": a.PROEF,
    "proefplaatsing_evalueren": a.PROEF_EV,
    "loonwaardebepaling": a.LOONW,
    "lks_besluit": a.LKS,
    "jobcoach_inzetten": a.JC,
    "plaatsing_starten": a.PLAATS,
    "nazorg_1_maand": a.NAZORG,
    "nazorg_3_maanden": a.NAZORG,
    "nazorg_6_maanden": a.NAZORG,
    "uitstroom_registreren": a.outflow("werk"),
    "duurzaamheid_controleren": a.DUURZ,
}
USER_TASKS = len(ANSWERS)


def answer_for(element_id: str) -> dict[str, Any]:
    try:
        return ANSWERS[element_id]
    except KeyError:
        raise RuntimeError(f"the benchmark route has no answer for user task '{element_id}'") from None


def raw_start_data() -> dict[str, Any]:
    """What `start_case` puts into a new case, for the raw engine run."""
    return {
        "client_id": 1,
        "client_name": CLIENT_NAME,
        "client_age": 45,
        "under_27": False,
        "municipality": MUNICIPALITY,
        "melding_date": "2026-03-02",
        "melding_channel": "loket",
        "termijnen": policy_for(None),
    }
