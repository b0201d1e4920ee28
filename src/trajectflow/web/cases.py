"""The case dossier: client, phase, ladder history, timeline, tasks, notes and the process diagram."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..domain.errors import ValidationFailed
from ..domain.roles import SUPERVISOR_ROLES
from ..ops.audit_hook import note_audit
from ..services.audit_log import case_audit_csv, case_audit_log
from ..services.dossier import case_diagram, case_dossier
from ..services.employer_plans import case_employment
from ..services.notes import add_note, list_notes
from ..services.programmes import ENROL_ROLES, list_programmes
from .auth import current_web_actor, login_required, role_required, web_context
from .employers import plan_view_context
from .errors import web_blueprint

bp = web_blueprint("dossier", __name__, url_prefix="/dossiers")
AUDIT_PANEL_ROWS = 50


@bp.get("/<int:case_id>")
@login_required
def show(case_id: int) -> Any:
    ctx = web_context()
    actor = current_web_actor()
    dossier = case_dossier(ctx, actor, case_id)
    diagram = case_diagram(ctx, case_id)
    audit_log = case_audit_log(ctx, actor, case_id, AUDIT_PANEL_ROWS) if actor.roles & SUPERVISOR_ROLES else None
    if audit_log is not None:
        note_audit(audit_log_rows=len(audit_log))  # reading the audit log is itself recorded
    return render_template(
        "cases/dossier.html",
        case=dossier,
        audit_log=audit_log,
        audit_panel_rows=AUDIT_PANEL_ROWS,
        notes=list_notes(ctx, case_id),
        diagram=diagram,
        note_error=None,
        employment=case_employment(ctx, case_id),
        programmes=list_programmes(ctx),
        may_enrol=bool(current_web_actor().roles & ENROL_ROLES),
        **plan_view_context(),
    )


@bp.get("/<int:case_id>/auditlog.csv")
@role_required(*SUPERVISOR_ROLES)
def audit_csv(case_id: int) -> Response:
    """Every audit record of the case (the API's `GET /api/cases/<id>/audit?format=csv` for the pages)."""
    records = case_audit_log(web_context(), current_web_actor(), case_id)
    headers = [_("No."), _("When"), _("Who"), _("Action"), _("Object"), _("Object id"), _("Result"), _("IP address")]
    headers.append(_("Client software"))
    response = Response(case_audit_csv(records, headers), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="auditlog-zaak-{case_id}.csv"'
    return response


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
