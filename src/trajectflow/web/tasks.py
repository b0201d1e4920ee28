"""The task page: the form from its JSON Schema, claim, release, save a draft, complete."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..domain.errors import ValidationFailed
from ..services.drafts import discard_drafts, get_draft, save_draft
from ..services.queries import case_detail, task_detail
from ..services.tasks import claim_task, complete_task, unclaim_task
from .auth import current_web_actor, login_required, web_context
from .errors import web_blueprint
from .formdata import describe, display_value, friendly_errors, parse_submission, value_at

bp = web_blueprint("task_page", __name__, url_prefix="/taken")


def _render(task: dict[str, Any], values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    ctx = web_context()
    actor = current_web_actor()
    case = case_detail(ctx, task["case_id"])
    page = render_template(
        "tasks/task.html",
        task=task,
        case=case,
        fields=describe(task.get("form_schema")),
        values=values,
        errors=errors,
        draft=get_draft(ctx, actor, task["id"]) if task["status"] == "open" else None,
        may_work=actor.holds(task["candidate_group"]) and task["assignee"] in (None, actor.username),
        display_value=display_value,
        value_at=value_at,
    )
    return page, status


@bp.get("/<int:task_id>")
@login_required
def show(task_id: int) -> Any:
    ctx = web_context()
    task = task_detail(ctx, task_id)
    if task["status"] != "open":
        return _render(task, task.get("submitted_data") or {}, {})
    draft = get_draft(ctx, current_web_actor(), task_id)
    return _render(task, draft["data"] if draft else task.get("prefill") or {}, {})


@bp.post("/<int:task_id>")
@login_required
def submit(task_id: int) -> Any:
    ctx = web_context()
    actor = current_web_actor()
    task = task_detail(ctx, task_id)
    data = parse_submission(task.get("form_schema"), request.form)
    action = request.form.get("_action", "complete")
    if action.startswith(("add:", "remove:")):
        return _render(task, _change_rows(data, action), {})
    if action == "save":
        save_draft(ctx, actor, task_id, data)
        flash(_("Draft saved."), "success")
        return redirect(url_for(".show", task_id=task_id))
    try:
        complete_task(ctx, actor, task_id, data)
    except ValidationFailed as failed:
        errors = friendly_errors(describe(task.get("form_schema")), data, failed.details)
        return _render(task, data, errors, 422)
    discard_drafts(ctx, task_id)
    flash(_("Task '%(name)s' completed.", name=task["name"]), "success")
    return redirect(url_for("dossier.show", case_id=task["case_id"]))


def _change_rows(data: dict[str, Any], action: str) -> dict[str, Any]:
    """Add an empty row to an array field or remove one, without saving (works without JavaScript)."""
    parts = action.split(":")
    name = parts[1] if len(parts) > 1 else ""
    rows = data.get(name)
    rows = list(rows) if isinstance(rows, list) else []
    if parts[0] == "add":
        rows.append({})
    elif len(parts) == 3 and parts[2].isdecimal() and int(parts[2]) < len(rows):
        rows.pop(int(parts[2]))
    return {**data, name: rows}


@bp.post("/<int:task_id>/claim")
@login_required
def claim(task_id: int) -> Response:
    claim_task(web_context(), current_web_actor(), task_id)
    flash(_("You have claimed this task."), "success")
    return redirect(url_for(".show", task_id=task_id))


@bp.post("/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int) -> Response:
    unclaim_task(web_context(), current_web_actor(), task_id)
    flash(_("The task is back in the group queue."), "success")
    return redirect(url_for(".show", task_id=task_id))
