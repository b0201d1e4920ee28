"""CSV and XLSX files of a report table, with the headers the caller gives (translated by the web layer)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

CSV_DELIMITER = ";"  # what Excel expects in Dutch locales


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else _csv_safe(value) for value in row])
    return "\ufeff" + out.getvalue()


def _csv_safe(value: Any) -> Any:
    # A text cell starting with = + - @ would run as a formula when the file is opened in a spreadsheet.
    if isinstance(value, str) and len(value) > 1 and value[0] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_xlsx(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31] or "rapport"
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_csv_safe(value) for value in row])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(str(header)) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
