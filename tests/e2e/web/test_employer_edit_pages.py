"""Changing an employer from its page: details and contact persons (kept in its history), and a
workplace's status (open → filled); caseworkers see neither form and may not post them."""

from __future__ import annotations

import re


def _employer(adviser) -> str:  # type: ignore[no-untyped-def]
    made = adviser.post(
        "/werkgevers",
        {"name": "Mabeon", "kvk_number": "09123456", "municipality": "oude-ijsselstreek", "contact": "Rob"},
        from_page="/werkgevers/nieuw",
    )
    assert made.status_code == 200, made.text
    return re.search(r"/werkgevers/\d+", made.url).group(0)  # type: ignore[union-attr]


def test_adviser_changes_employer_details_and_contacts(server, deployed, signed_in):  # type: ignore[no-untyped-def]
    adviser = signed_in("werkgeversadviseur")
    path = _employer(adviser)
    form = adviser.get(f"{path}/wijzigen")
    assert form.status_code == 200 and 'value="Mabeon"' in form.text and 'value="Rob"' in form.text
    assert '<label for="e-sector">' in form.text and "<legend>Contactpersonen</legend>" in form.text
    fields = [
        ("name", "Mabeon BV"),
        ("kvk_number", "09123456"),
        ("sector", "schoonmaak"),
        ("municipality", "oude-ijsselstreek"),
        ("location", "Silvolde"),
        ("contact_name", "Rob"),
        ("contact_email", "rob@example.org"),
        ("contact_phone", ""),
        ("contact_name", "Anna"),
        ("contact_email", ""),
        ("contact_phone", "0315 123456"),
    ]
    saved = adviser.post(path, fields, from_page=f"{path}/wijzigen")
    assert saved.status_code == 200 and saved.url.endswith(path) and "Werkgever gewijzigd." in saved.text
    assert "schoonmaak" in saved.text and "Silvolde" in saved.text and "Mabeon BV" in saved.text
    contacts = re.search(r'id="contacts">(.*?)</dd>', saved.text).group(1)  # type: ignore[union-attr]
    assert contacts == "Rob (rob@example.org), Anna 0315 123456"
    assert "Werkgever &#39;Mabeon BV&#39; gewijzigd: contacts, location, name, sector" in saved.text

    bad = adviser.post(path, [*fields[:1], ("kvk_number", "123")], from_page=f"{path}/wijzigen")
    assert bad.status_code == 422 and "Een KvK-nummer heeft precies 8 cijfers." in bad.text
    assert 'aria-invalid="true" aria-describedby="error-kvk_number"' in bad.text
    other = adviser.post("/werkgevers", {"name": "Bakkerij", "kvk_number": "12345678"}, from_page="/werkgevers/nieuw")
    assert other.status_code == 200
    taken = adviser.post(path, [("name", "Mabeon BV"), ("kvk_number", "12345678")], from_page=f"{path}/wijzigen")
    assert taken.status_code == 409 and "Er is al een werkgever met dit KvK-nummer geregistreerd." in taken.text

    caseworker = signed_in("klantmanager")
    page = caseworker.get(path)
    assert "Werkgever wijzigen" not in page.text and "Status wijzigen" not in page.text
    assert caseworker.post(path, fields, from_page=path).status_code == 403


def test_adviser_fills_and_reopens_a_workplace(server, deployed, signed_in):  # type: ignore[no-untyped-def]
    adviser = signed_in("werkgeversadviseur")
    path = _employer(adviser)
    adviser.post(f"{path}/werkplekken", {"description": "Schoonmaak sportpark", "hours_per_week": "8"}, from_page=path)
    page = adviser.get(path).text
    workplace_id = re.search(r'id="w-status-(\d+)"', page).group(1)  # type: ignore[union-attr]
    assert f'<label for="w-status-{workplace_id}" class="visually-hidden">Status van Schoonmaak sportpark' in page
    status_path = f"{path}/werkplekken/{workplace_id}/status"
    filled = adviser.post(status_path, {"status": "filled"}, from_page=path)
    assert filled.status_code == 200 and "Status van de werkplek gewijzigd." in filled.text
    assert '<option value="filled" selected>vervuld</option>' in filled.text
    assert "Werkplek &#39;Schoonmaak sportpark&#39;: open → filled" in filled.text
    assert "<td>0</td>" in adviser.get("/werkgevers").text  # no open workplaces left
    unknown = adviser.post(status_path, {"status": "gone"}, from_page=path)
    assert "Kies open, vervuld of gesloten." in unknown.text
    reopened = adviser.post(status_path, {"status": "open"}, from_page=path)
    assert '<option value="open" selected>open</option>' in reopened.text

    refused = signed_in("klantmanager").post(status_path, {"status": "closed"}, from_page=path)
    assert "Alleen een werkgeversadviseur mag dit doen." in refused.text
    assert '<option value="open" selected>' in adviser.get(path).text
