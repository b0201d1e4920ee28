"""The case dossier: client, phase, ladder history, timeline, tasks, notes and the process diagram."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..domain.errors import ValidationFailed
from ..services.dossier import case_diagram, case_dossier
from ..services.employer_plans import case_employment
from ..services.notes import add_note, list_notes
from ..services.programmes import ENROL_ROLES, list_programmes
from .auth import current_web_actor, login_required, web_context
from .employers import plan_view_context
from .errors import web_blueprint

bp = web_blueprint("dossier", __name__, url_prefix="/dossiers")


@bp.get("/<int:case_id>")
@login_required
def show(case_id: int) -> Any:
    ctx = web_context()
    dossier = case_dossier(ctx, current_web_actor(), case_id)
    diagram = case_diagram(ctx, case_id)
    return render_template(
        "cases/dossier.html",
        case=dossier,
        notes=list_notes(ctx, case_id),
        diagram=diagram,
        note_error=None,
        employment=case_employment(ctx, case_id),
        programmes=list_programmes(ctx),
        may_enrol=bool(current_web_actor().roles & ENROL_ROLES),
        **plan_view_context(),
    )


@bp.get("/<int:case_id>/diagram.json")
@login_required
def diagram(case_id: int) -> Response:
    return jsonify(case_diagram(web_context(), case_id))


@bp.post("/<int:case_id>/notities")
@login_required
def note(case_id: int) -> Any:
    ctx = web_context()
    body = request.form.get("body", "")
    error = None
    try:
        add_note(ctx, current_web_actor(), case_id, body)
    except ValidationFailed:
        error = _("Write a note first (at most 5000 characters).")
    if request.headers.get("HX-Request"):
        notes = list_notes(ctx, case_id)
        return render_template("cases/_notes.html", case={"id": case_id}, notes=notes, note_error=error, body=body)
    if error:
        flash(error, "error")
    else:
        flash(_("Note added."), "success")
    return redirect(url_for(".show", case_id=case_id) + "#notes")
