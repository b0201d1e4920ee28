"""Registering a new case (melding) from a form, with the BSN checked by the 11-proef."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain.bsn import is_valid_bsn, normalise_bsn
from ..domain.errors import ValidationFailed
from ..domain.municipalities import MUNICIPALITIES
from ..domain.roles import CASEWORK_ROLES
from ..services.cases import ClientInput, start_case
from ..services.queries import list_processes
from .auth import current_web_actor, role_required, web_context
from .errors import web_blueprint
from .formdata import iso_date

bp = web_blueprint("melding", __name__, url_prefix="/meldingen")
DEFAULT_PROCESS = "participatie_traject"
caseworker_required = role_required(*sorted(CASEWORK_ROLES))  # who registers a melding (services/cases.py)


def _render(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    processes = list_processes(web_context())
    return (
        render_template(
            "melding/new.html", values=values, errors=errors, processes=processes, municipalities=MUNICIPALITIES
        ),
        status,
    )


@bp.get("/nieuw")
@caseworker_required
def new() -> Any:
    return _render({"process_id": DEFAULT_PROCESS}, {})


def _check(values: dict[str, str]) -> tuple[dict[str, str], date | None]:
    errors: dict[str, str] = {}
    if not is_valid_bsn(normalise_bsn(values["bsn"])):
        errors["bsn"] = _("Enter a valid BSN: 9 digits that pass the 11-test.")
    if not values["name"]:
        errors["name"] = _("Enter the client's name.")
    birth = iso_date(values["birth_date"]) if values["birth_date"] else None
    if birth is None:
        errors["birth_date"] = _("Enter a valid date as dd-mm-yyyy.")
    if values["municipality"] not in MUNICIPALITIES:
        errors["municipality"] = _("Choose a municipality.")
    return errors, date.fromisoformat(birth) if birth else None


@bp.post("/nieuw")
@caseworker_required
def create() -> Any:
    keys = ("bsn", "name", "birth_date", "municipality", "process_id")
    values = {key: request.form.get(key, "").strip() for key in keys}
    errors, birth_date = _check(values)
    if errors or birth_date is None:
        return _render(values, errors, 422)
    try:
        case_id = start_case(
            web_context(),
            current_web_actor(),
            values["process_id"] or DEFAULT_PROCESS,
            values["municipality"],
            ClientInput(bsn=values["bsn"], name=values["name"], birth_date=birth_date),
        )
    except ValidationFailed as failed:
        details = failed.details if isinstance(failed.details, dict) else {}
        field_errors = {key.removeprefix("client."): "; ".join(map(str, msgs)) for key, msgs in details.items()}
        if "birth_date" in field_errors:
            field_errors["birth_date"] = _("The date of birth lies in the future.")
        return _render(values, field_errors or {"bsn": failed.message}, 422)
    flash(_("Registration saved: case %(id)s.", id=case_id), "success")
    return redirect(url_for("dossier.show", case_id=case_id))
