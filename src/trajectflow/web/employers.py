"""Employer registry pages (list, register, edit, detail with workplaces and their status, placements
and trajectplans with evaluations) and programme pages (progress against targets per month, enrolment)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.municipalities import MUNICIPALITIES
from ..services.employer_plans import EVALUATION_ROLES, EvaluationInput, employer_detail, evaluate_plan
from ..services.employers import (
    WORKPLACE_STATUSES,
    EmployerInput,
    WorkplaceInput,
    add_workplace,
    list_employers,
    register_employer,
    set_workplace_status,
    update_employer,
)
from ..services.programmes import ENROL_ROLES, enrol_case, list_programmes, programme_progress
from .auth import current_web_actor, login_required, web_context
from .errors import web_blueprint
from .redirects import safe_next

bp = web_blueprint("employer_pages", __name__, url_prefix="")

OUTCOME_LABELS = {"op_koers": _l("on track"), "bijsturen": _l("adjust"), "gestopt": _l("stopped")}


def plan_view_context() -> dict[str, Any]:
    """What the trajectplan partial (employers/_plan.html) needs besides the plan."""
    actor = current_web_actor()
    return {
        "outcome_labels": {key: str(label) for key, label in OUTCOME_LABELS.items()},
        "today": web_context().clock.now().date(),
        "may_evaluate": bool(actor.roles & EVALUATION_ROLES),
    }


@bp.get("/werkgevers")
@login_required
def index() -> str:
    search = request.args.get("q") or None
    employers = list_employers(web_context(), search=search)
    return render_template("employers/index.html", employers=employers, search=search or "")


def _render_new(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    return render_template("employers/new.html", values=values, errors=errors, municipalities=MUNICIPALITIES), status


@bp.get("/werkgevers/nieuw")
@login_required
def new() -> Any:
    return _render_new({}, {})


@bp.post("/werkgevers")
@login_required
def create() -> Any:
    values = {k: request.form.get(k, "").strip() for k in ("name", "kvk_number", "sector", "municipality", "location")}
    contact = request.form.get("contact", "").strip()
    data = EmployerInput(
        values["name"],
        values["kvk_number"],
        values["sector"] or None,
        values["municipality"] or None,
        values["location"] or None,
        [{"name": contact}] if contact else [],
    )
    try:
        employer_id = register_employer(web_context(), current_web_actor(), data)
    except ValidationFailed as error:
        details = error.details or {}
        errors = {k: _("A KvK number has exactly 8 digits.") if k == "kvk_number" else _("Required") for k in details}
        return _render_new(values, errors, 422)
    except Conflict:
        return _render_new(values, {"kvk_number": _("An employer with this KvK number is registered.")}, 409)
    flash(_("Employer registered."), "success")
    return redirect(url_for("employer_pages.detail", employer_id=employer_id))


@bp.get("/werkgevers/<int:employer_id>")
@login_required
def detail(employer_id: int) -> str:
    employer = employer_detail(web_context(), employer_id)
    return render_template(
        "employers/detail.html",
        employer=employer,
        programmes=list_programmes(web_context()),
        statuses=WORKPLACE_STATUSES,
        **plan_view_context(),
    )


@bp.post("/trajectplannen/<int:plan_id>/evaluaties")
@login_required
def evaluate(plan_id: int) -> Response:
    back = safe_next(request.form.get("next"))
    try:
        when = date.fromisoformat(request.form.get("date", ""))
        evaluation = EvaluationInput(when, request.form.get("outcome", ""), request.form.get("note") or None)
        evaluate_plan(web_context(), current_web_actor(), plan_id, evaluation)
    except (ValidationFailed, ValueError):
        flash(_("The evaluation was not added: give a date and an outcome."), "error")
    except Forbidden:
        flash(_("Only caseworkers of the placement may evaluate a plan."), "error")
    else:
        flash(_("Evaluation added."), "success")
    return redirect(back)


@bp.post("/werkgevers/<int:employer_id>/werkplekken")
@login_required
def add_place(employer_id: int) -> Response:
    hours = request.form.get("hours_per_week", "").strip().replace(",", ".")
    programme = request.form.get("programme_id", "").strip()
    try:
        data = WorkplaceInput(
            request.form.get("description", ""),
            float(hours) if hours else None,
            request.form.get("requirements") or None,
            int(programme) if programme else None,
        )
        add_workplace(web_context(), current_web_actor(), employer_id, data)
    except (ValidationFailed, ValueError):
        flash(_("The workplace was not added: give a description and hours between 1 and 40."), "error")
    except Forbidden:
        flash(_("Only a werkgeversadviseur may do this."), "error")
    else:
        flash(_("Workplace added."), "success")
    return redirect(url_for("employer_pages.detail", employer_id=employer_id))


def _contacts() -> list[dict[str, str]]:
    rows = zip(
        request.form.getlist("contact_name"),
        request.form.getlist("contact_email"),
        request.form.getlist("contact_phone"),
        strict=False,
    )
    contacts = []
    for name, email, phone in rows:
        if name.strip():
            contact = {"name": name.strip(), "email": email.strip(), "phone": phone.strip()}
            contacts.append({k: v for k, v in contact.items() if v})
    return contacts


def _render_edit(employer_id: int, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    return (
        render_template(
            "employers/edit.html",
            employer_id=employer_id,
            values=values,
            errors=errors,
            municipalities=MUNICIPALITIES,
        ),
        status,
    )


@bp.get("/werkgevers/<int:employer_id>/wijzigen")
@login_required
def edit(employer_id: int) -> Any:
    return _render_edit(employer_id, employer_detail(web_context(), employer_id), {})


@bp.post("/werkgevers/<int:employer_id>")
@login_required
def update(employer_id: int) -> Any:
    values: dict[str, Any] = {
        k: request.form.get(k, "").strip() for k in ("name", "kvk_number", "sector", "municipality", "location")
    }
    values["contacts"] = _contacts()
    data = EmployerInput(
        values["name"],
        values["kvk_number"],
        values["sector"] or None,
        values["municipality"] or None,
        values["location"] or None,
        values["contacts"],
    )
    try:
        update_employer(web_context(), current_web_actor(), employer_id, data)
    except ValidationFailed as error:
        details = error.details or {}
        errors = {k: _("A KvK number has exactly 8 digits.") if k == "kvk_number" else _("Required") for k in details}
        return _render_edit(employer_id, values, errors, 422)
    except Conflict:
        return _render_edit(
            employer_id, values, {"kvk_number": _("An employer with this KvK number is registered.")}, 409
        )
    flash(_("Employer changed."), "success")
    return redirect(url_for("employer_pages.detail", employer_id=employer_id))


@bp.post("/werkgevers/<int:employer_id>/werkplekken/<int:workplace_id>/status")
@login_required
def place_status(employer_id: int, workplace_id: int) -> Response:
    status = request.form.get("status", "")
    try:
        set_workplace_status(web_context(), current_web_actor(), workplace_id, status)
    except ValidationFailed:
        flash(_("Choose open, filled or closed."), "error")
    except Forbidden:
        flash(_("Only a werkgeversadviseur may do this."), "error")
    else:
        flash(_("Workplace status changed."), "success")
    return redirect(url_for("employer_pages.detail", employer_id=employer_id) + "#workplaces")


@bp.get("/programmas")
@login_required
def programmes() -> str:
    return render_template("employers/programmes.html", programmes=list_programmes(web_context()))


@bp.get("/programmas/<int:programme_id>")
@login_required
def programme(programme_id: int) -> str:
    progress = programme_progress(web_context(), programme_id)
    return render_template(
        "employers/programme.html",
        progress=progress,
        p=progress["programme"],
        may_enrol=bool(current_web_actor().roles & ENROL_ROLES),
        case_number=request.args.get("case", ""),
    )


@bp.post("/programmas/inschrijvingen")
@login_required
def enrol_chosen() -> Response:
    """Enrolment from the case dossier, where the programme is chosen in the form."""
    programme = request.form.get("programme_id", "")
    if not programme.isdigit():
        flash(_("Choose a programme."), "error")
        return redirect(safe_next(request.form.get("next"), "employer_pages.programmes"))
    return enrol(int(programme))


@bp.post("/programmas/<int:programme_id>/inschrijvingen")
@login_required
def enrol(programme_id: int) -> Response:
    number = request.form.get("case_id", "").strip()
    back = safe_next(request.form.get("next"), "employer_pages.programmes")
    if not number.isdigit():
        flash(_("Give a case number."), "error")
        return redirect(back)
    try:
        enrol_case(web_context(), current_web_actor(), programme_id, int(number))
    except ValidationFailed as error:
        reasons = "; ".join(str(r) for r in (error.details or {}).get("case_id", []))
        flash(_("Case %(id)s does not meet the enrolment rule: %(reasons)s", id=number, reasons=reasons), "error")
    except Conflict:
        flash(_("Case %(id)s is already enrolled.", id=number), "error")
    except NotFound:
        flash(_("Case %(id)s does not exist.", id=number), "error")
    except Forbidden:
        flash(_("You may not enrol cases."), "error")
    else:
        flash(_("Case %(id)s enrolled.", id=number), "success")
    return redirect(back)
