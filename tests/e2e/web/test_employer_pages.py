"""Employer and programme pages over HTTP: register an employer (KvK checked), add a workplace, see it on
its page; programme progress; the reports page filters by organisation and programme."""

from __future__ import annotations

import re

from trajectflow.domain.cases import Actor
from trajectflow.services.programmes import ProgrammeInput, create_programme

TL = Actor("teamleider", frozenset({"teamleider"}))


def test_employer_and_programme_pages(server, deployed, clock, signed_in):  # type: ignore[no-untyped-def]
    programme_id = create_programme(
        deployed,
        TL,
        ProgrammeInput(
            "mw",
            "Meedoen Werkt 2026",
            clock.now().date().replace(month=1, day=1),
            clock.now().date().replace(month=12, day=31),
            ["oude-ijsselstreek"],
            100,
            100,
        ),
    )
    adviser = signed_in("werkgeversadviseur")
    empty = adviser.get("/werkgevers")
    assert empty.status_code == 200 and "Geen werkgevers gevonden." in empty.text
    form = {"name": "Mabeon", "kvk_number": "1234", "municipality": "oude-ijsselstreek", "contact": "Rob"}
    bad = adviser.post("/werkgevers", form, from_page="/werkgevers/nieuw")
    assert bad.status_code == 422 and "Een KvK-nummer heeft precies 8 cijfers." in bad.text
    made = adviser.post("/werkgevers", {**form, "kvk_number": "0912 3456"}, from_page="/werkgevers/nieuw")
    assert made.status_code == 200 and "Werkgever geregistreerd." in made.text and "09123456" in made.text
    employer_path = re.search(r"/werkgevers/\d+", made.url).group(0)  # type: ignore[union-attr]
    added = adviser.post(
        f"{employer_path}/werkplekken",
        {"description": "Schoonmaak sportpark", "hours_per_week": "8", "programme_id": str(programme_id)},
        from_page=employer_path,
    )
    assert "Werkplek toegevoegd." in added.text and "Schoonmaak sportpark" in added.text
    assert "Werkplek &#39;Schoonmaak sportpark&#39; toegevoegd" in added.text  # the employer's history
    assert "Mabeon" in adviser.get("/werkgevers?q=mab").text

    caseworker = signed_in("klantmanager")
    page = caseworker.get(employer_path)
    assert page.status_code == 200 and "Werkplek toevoegen" not in page.text  # only werkgeversadviseurs add
    progress = caseworker.get(f"/programmas/{programme_id}")
    assert re.search(r'id="employers">1 / 100<', progress.text) and re.search(r'id="residents">0 / 100<', progress.text)
    assert "Meedoen Werkt 2026" in caseworker.get("/programmas").text

    reports = signed_in("teamleider").get(f"/teamleider/rapportages?organisation=westrom&programme={programme_id}")
    assert reports.status_code == 200 and "Re-integratietrajecten die eindigen in uitstroom" in reports.text
    assert '<option value="westrom" selected>' in reports.text
