"""The forms behind the teamleider's buttons: each posts, calls one service, flashes and goes back."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...services.supervision import (
    cancel_case,
    move_case,
    reassign_task,
    reassign_tasks,
    resume_case,
    retry_case,
    suspend_case,
)
from ..auth import current_web_actor, web_context
from . import bp
from .common import run_action, supervisor_required


def _reason() -> str:
    return request.form.get("reason", "")


@bp.post("/taken/<int:task_id>/toewijzen")
@supervisor_required
def reassign(task_id: int) -> Response:
    assignee = request.form.get("assignee", "")
    return run_action(
        lambda: reassign_task(web_context(), current_web_actor(), task_id, assignee, _reason()),
        _("Task reassigned to %(user)s.", user=assignee),
    )


@bp.post("/taken/toewijzen")
@supervisor_required
def reassign_bulk() -> Response:
    assignee = request.form.get("assignee", "")
    ids = [int(value) for value in request.form.getlist("task_ids") if value.isdigit()]
    return run_action(
        lambda: reassign_tasks(web_context(), current_web_actor(), ids, assignee, _reason()),
        _("%(count)d tasks reassigned to %(user)s.", count=len(ids), user=assignee),
    )


@bp.post("/zaken/<int:case_id>/opnieuw")
@supervisor_required
def retry(case_id: int) -> Response:
    return run_action(
        lambda: retry_case(web_context(), current_web_actor(), case_id, _reason()),
        _("Case %(id)d retried.", id=case_id),
    )


@bp.post("/zaken/<int:case_id>/opschorten")
@supervisor_required
def suspend(case_id: int) -> Response:
    return run_action(
        lambda: suspend_case(web_context(), current_web_actor(), case_id, _reason()),
        _("Case %(id)d suspended.", id=case_id),
    )


@bp.post("/zaken/<int:case_id>/hervatten")
@supervisor_required
def resume(case_id: int) -> Response:
    return run_action(
        lambda: resume_case(web_context(), current_web_actor(), case_id, _reason()),
        _("Case %(id)d resumed.", id=case_id),
    )


@bp.post("/zaken/<int:case_id>/annuleren")
@supervisor_required
def cancel(case_id: int) -> Response:
    return run_action(
        lambda: cancel_case(web_context(), current_web_actor(), case_id, _reason()),
        _("Case %(id)d cancelled.", id=case_id),
    )


@bp.post("/zaken/<int:case_id>/verplaatsen")
@supervisor_required
def move(case_id: int) -> Response:
    target = request.form.get("to_element_id", "")
    return run_action(
        lambda: move_case(web_context(), current_web_actor(), case_id, target, _reason()),
        _("Case %(id)d moved to %(element)s.", id=case_id, element=target),
    )
