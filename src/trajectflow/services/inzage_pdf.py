"""The inzageverzoek as a PDF for the client: Dutch, readable, with every section of the JSON export.

Set in DejaVu Sans (Debian's fonts-dejavu-core, which `make setup` installs) so every name renders,
Cliënt and Yılmaz alike. Without it the core Helvetica font is used and characters outside Latin-1
are replaced by '?', so an export never fails for want of a font.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF

from ..domain.municipalities import MUNICIPALITIES
from ..domain.organisations import ORGANISATIONS

log = logging.getLogger(__name__)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
CASE_STATUS = {
    "active": "lopend",
    "completed": "afgerond",
    "cancelled": "geannuleerd",
    "errored": "in storing",
    "suspended": "opgeschort",
}
TASK_STATUS = {"open": "open", "completed": "afgerond", "cancelled": "vervallen"}


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class _Document:
    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.set_title("Inzageverzoek")
        self.family = self._font()
        self.pdf.add_page()

    def _font(self) -> str:
        for directory in FONT_DIRS:
            regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                self.pdf.add_font("DejaVu", "", str(regular))
                self.pdf.add_font("DejaVu", "B", str(bold))
                return "DejaVu"
        log.warning("DejaVu fonts not found; the inzage PDF falls back to Helvetica (Latin-1 only)")
        return "Helvetica"

    def _clean(self, text: str) -> str:
        if self.family == "DejaVu":
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.multi_cell(0, size * 0.6, self._clean(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def line(self, text: str, indent: float = 0) -> None:
        self.pdf.set_font(self.family, "", 9.5)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(0, 5, self._clean(text), new_x="LMARGIN", new_y="NEXT")

    def fact(self, label: str, value: Any, indent: float = 0) -> None:
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.set_font(self.family, "B", 9.5)
        label = self._clean(label)
        self.pdf.cell(min(100, max(45, self.pdf.get_string_width(label) + 3)), 5, label)
        self.pdf.set_font(self.family, "", 9.5)
        self.pdf.multi_cell(0, 5, self._clean(_text(value)), new_x="LMARGIN", new_y="NEXT")

    def answers(self, data: Any, indent: float = 6) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                self.fact(str(key), value, indent)

    def space(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def export_pdf(export: dict[str, Any]) -> bytes:
    """The export (services/inzage.py `client_export`) as a PDF document."""
    doc = _Document()
    client = export["client"]
    doc.heading(f"Inzageverzoek: gegevens van {client['name']}", 15)
    doc.line(f"Opgemaakt op {_text(export['generated_at'])} door {export['generated_by']}.")
    doc.line(
        "Dit overzicht bevat alle gegevens die over u zijn vastgelegd in het trajectsysteem van uw gemeente "
        "en de uitvoeringsorganisatie: uw persoonsgegevens, uw trajecten en wat daarin is gebeurd."
    )
    doc.space()
    doc.heading("Cliënt")
    doc.fact("Naam", client["name"])
    doc.fact("BSN", client["bsn"])
    doc.fact("Geboortedatum", client["birth_date"])
    doc.fact("Gemeente", MUNICIPALITIES.get(client["municipality"], client["municipality"]))
    doc.fact("Cliëntnummer", client["id"])
    doc.fact("Geregistreerd op", client["registered_at"])
    if client.get("anonymised_at"):
        doc.fact("Geanonimiseerd op", client["anonymised_at"])
    if not export["cases"]:
        doc.space()
        doc.line("Er zijn geen trajecten van u vastgelegd.")
    for case in export["cases"]:
        _case(doc, case)
    return doc.output()


def _case(doc: _Document, case: dict[str, Any]) -> None:
    doc.space(5)
    municipality = MUNICIPALITIES.get(case["municipality"], case["municipality"])
    doc.heading(f"Traject (zaak {case['id']}) in {municipality}")
    organisation = ORGANISATIONS.get(case["organisation"] or "")
    doc.fact("Uitgevoerd door", organisation.name if organisation else case["organisation"])
    doc.fact("Proces", f"{case['process_id']} versie {case['process_version']}")
    doc.fact("Status", CASE_STATUS.get(case["status"], case["status"]))
    doc.fact("Fase", case["phase"])
    doc.fact("Route", case["route"])
    doc.fact("Gestart op", case["started_at"])
    doc.fact("Afgesloten op", case["closed_at"])
    _section(doc, "Procesgegevens", [case["process_data"]] if case["process_data"] else [], doc.answers)
    _section(
        doc,
        "Geschiedenis",
        case["history"],
        lambda e: doc.line(f"{_text(e['at'])} · {e['actor'] or 'systeem'} · {e['message']}", 4),
    )
    _section(doc, "Taken en ingevulde gegevens", case["tasks"], lambda t: _task(doc, t))
    _section(doc, "Opgeslagen concepten", case["drafts"], lambda d: _draft(doc, d))
    _section(doc, "Notities", case["notes"], lambda n: doc.line(f"{_text(n['at'])} · {n['author']}: {n['body']}", 4))
    _section(
        doc,
        "Plaatsingen",
        case["placements"],
        lambda p: doc.line(
            f"{p['employer']}, vanaf {_text(p['start_date'])}; contract {_text(p['contract'])}, "
            f"{_text(p['hours_per_week'])} uur per week",
            4,
        ),
    )
    _section(doc, "Trajectplannen met werkgevers", case["employer_plans"], lambda p: _plan(doc, p))
    _section(
        doc,
        "Programma's",
        case["programmes"],
        lambda p: doc.line(f"{p['programme']}: ingeschreven op {_text(p['enrolled_at'])}", 4),
    )
    _section(
        doc,
        "Berichten aan medewerkers over dit traject",
        case["notifications"],
        lambda m: doc.line(f"{_text(m['at'])} · aan {m['recipient']}: {m['title']} — {m['body']}", 4),
    )


def _section(doc: _Document, title: str, items: list[Any], render: Any) -> None:
    if not items:
        return
    doc.space(2)
    doc.heading(title, 11)
    for item in items:
        render(item)


def _task(doc: _Document, task: dict[str, Any]) -> None:
    state = TASK_STATUS.get(task["status"], task["status"])
    if task["completed_at"]:
        state = f"afgerond op {_text(task['completed_at'])} door {task['completed_by']}"
    doc.line(f"{task['name']} ({state})", 4)
    doc.answers(task["data"])


def _draft(doc: _Document, draft: dict[str, Any]) -> None:
    doc.line(f"{draft['task']}: opgeslagen op {_text(draft['saved_at'])} door {draft['by']}", 4)
    doc.answers(draft["data"])


def _plan(doc: _Document, plan: dict[str, Any]) -> None:
    doc.line(f"{plan['employer']}: van {_text(plan['start_date'])} tot {_text(plan['end_date'])}", 4)
    doc.fact("Doelen", plan["goals"], 6)
    doc.fact("Ontwikkelafspraken", plan["agreements"], 6)
    doc.fact("Kostenverdeling", plan["cost_sharing"], 6)
    doc.fact("Instrumenten", plan["instruments"], 6)
    doc.fact("Evaluaties", plan["evaluations"], 6)
