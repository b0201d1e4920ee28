"""Supervisor (teamleider) actions: reassign tasks; retry, suspend, resume, cancel and move cases."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.queries import case_detail, task_detail
from ..services.supervision import (
    cancel_case,
    movable_elements,
    move_case,
    reassign_task,
    reassign_tasks,
    resume_case,
    retry_case,
    suspend_case,
)
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema, CaseDetailSchema, TaskDetailSchema
from .supervision_schemas import (
    BulkReassignSchema,
    MovableElementSchema,
    MoveSchema,
    ReasonSchema,
    ReassignedSchema,
    ReassignSchema,
    RequiredReasonSchema,
)

blp = Blueprint("supervision", __name__, url_prefix="/api", description="Supervisor (teamleider) actions")

_ERRORS = (403, 404, 409, 422)


def _errors(view):  # type: ignore[no-untyped-def]
    for status in _ERRORS:
        view = blp.alt_response(status, schema=ApiErrorSchema)(view)
    return view


@blp.route("/tasks/<int:task_id>/reassign")
class Reassign(MethodView):
    @blp.arguments(ReassignSchema)
    @blp.response(200, TaskDetailSchema)
    @_errors
    def post(self, body, task_id: int):  # type: ignore[no-untyped-def]
        """Give an open task to a user who holds its role (teamleider only)."""
        ctx = service_context()
        reassign_task(ctx, current_actor(), task_id, body["assignee"], body["reason"])
        return task_detail(ctx, task_id)


@blp.route("/tasks/reassign")
class BulkReassign(MethodView):
    @blp.arguments(BulkReassignSchema)
    @blp.response(200, ReassignedSchema)
    @_errors
    def post(self, body):  # type: ignore[no-untyped-def]
        """Give several open tasks to one user at once; all or nothing (teamleider only)."""
        ctx = service_context()
        ids = reassign_tasks(ctx, current_actor(), body["task_ids"], body["assignee"], body["reason"])
        return {"tasks": [task_detail(ctx, task_id) for task_id in ids]}


def _case_action(action, case_id: int, *args):  # type: ignore[no-untyped-def]
    ctx = service_context()
    action(ctx, current_actor(), case_id, *args)
    return case_detail(ctx, case_id)


@blp.route("/cases/<int:case_id>/retry")
class Retry(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, CaseDetailSchema)
    @_errors
    def post(self, body, case_id: int):  # type: ignore[no-untyped-def]
        """Run the failed step of an errored case again; it becomes active or errored with the new error."""
        return _case_action(retry_case, case_id, body["reason"])


@blp.route("/cases/<int:case_id>/suspend")
class Suspend(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, CaseDetailSchema)
    @_errors
    def post(self, body, case_id: int):  # type: ignore[no-untyped-def]
        """Pause an active case: tasks stay visible but cannot be completed; timers wait."""
        return _case_action(suspend_case, case_id, body["reason"])


@blp.route("/cases/<int:case_id>/resume")
class Resume(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, CaseDetailSchema)
    @_errors
    def post(self, body, case_id: int):  # type: ignore[no-untyped-def]
        """Let a suspended case continue."""
        return _case_action(resume_case, case_id, body["reason"])


@blp.route("/cases/<int:case_id>/cancel")
class Cancel(MethodView):
    @blp.arguments(RequiredReasonSchema)
    @blp.response(200, CaseDetailSchema)
    @_errors
    def post(self, body, case_id: int):  # type: ignore[no-untyped-def]
        """Stop a case for good with a reason: open tasks cancelled, timers removed."""
        return _case_action(cancel_case, case_id, body["reason"])


@blp.route("/cases/<int:case_id>/move")
class Move(MethodView):
    @blp.arguments(MoveSchema)
    @blp.response(200, CaseDetailSchema)
    @_errors
    def post(self, body, case_id: int):  # type: ignore[no-untyped-def]
        """Move the case's token to another user task, with a reason (rewinds when the task ran before)."""
        return _case_action(move_case, case_id, body["to_element_id"], body["reason"])


@blp.route("/cases/<int:case_id>/move-targets")
class MoveTargets(MethodView):
    @blp.response(200, MovableElementSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, case_id: int):  # type: ignore[no-untyped-def]
        """The user tasks this case's token can be moved to (teamleider only, like moving it)."""
        return movable_elements(service_context(), current_actor(), case_id)
