"""The reports page shows the billing of purchased services (per organisation, buying municipality, month and
route: started, active, ended), the same numbers as GET /api/billing, with CSV and XLSX downloads."""

from __future__ import annotations

import html
import io
import re

import openpyxl

from tests.e2e import answers as a
from tests.e2e.driver import CaseDriver


def test_reports_page_shows_billing_with_downloads(server, deployed, clock, signed_in):  # type: ignore[no-untyped-def]
    case = CaseDriver.start(server, deployed, clock, bsn="111222333", birth_date="1985-02-01", municipality="leudal")
    case.complete("aanvraag_beoordelen", a.AANV_OK)
    case.complete("brede_intake", a.intake(4))
    case.complete("diagnose", a.diagnose("volledig", "laag", False))
    today = clock.now().date()
    query = f"start={today.replace(day=1).isoformat()}&end={today.isoformat()}"
    api = server.request("GET", f"/api/billing?{query}", user="teamleider")
    assert api.status_code == 200, api.text
    ((org, municipality, month, route, started, active, ended),) = api.json()["rows"]
    assert (org, municipality, route, started, active, ended) == ("werkbedrijf-roermond", "leudal", "werk", 1, 1, 0)

    teamleider = signed_in("teamleider")
    page = teamleider.get(f"/teamleider/rapportages?{query}")
    assert page.status_code == 200
    section = html.unescape(page.text[page.text.index('id="report-billing"') :])
    assert "Ingekochte diensten: trajecten per maand" in section
    table = re.search(r'<table id="table-billing">.*?</table>', section, re.S).group(0)  # type: ignore[union-attr]
    headers = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert headers == ["Organisatie", "Gemeente", "Maand", "Route", "Gestart", "Actief", "Beëindigd"]
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert cells == ["Werkbedrijf Roermond", "Leudal", month, "werk", "1", "1", "0"]
    assert 'id="chart-billing"' not in page.text  # a table, not a chart

    links = re.findall(r'href="(/teamleider/rapportages/billing\.(?:csv|xlsx)\?[^"]*)"', section)
    assert len(links) == 2
    csv_file = teamleider.get(html.unescape(links[0]))
    assert (
        csv_file.status_code == 200 and csv_file.headers["Content-Disposition"] == 'attachment; filename="billing.csv"'
    )
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(";") == ["Werkbedrijf Roermond", "Leudal", month, "werk", "1", "1", "0"]
    xlsx = teamleider.get(html.unescape(links[1]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1] == ("Werkbedrijf Roermond", "Leudal", month, "werk", 1, 1, 0)

    assert signed_in("klantmanager").get(html.unescape(links[0])).status_code == 403
