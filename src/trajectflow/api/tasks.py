"""User tasks: worklists, detail with form, claim, unclaim, complete."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..services.queries import TaskFilter, list_tasks, task_detail
from ..services.tasks import claim_task, complete_task, unclaim_task
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema, CompleteSchema, CompletionSchema, TaskDetailSchema, TaskPageSchema, TaskQueryArgs

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="User tasks")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQueryArgs, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """List tasks; filter by assignee ('me' for yourself), candidate group, case, status, overdue."""
        actor = current_actor()
        if args.get("assignee") == "me":
            args["assignee"] = actor.username
        return list_tasks(service_context(), TaskFilter(**args))


@blp.route("/<int:task_id>")
class TaskDetail(MethodView):
    @blp.response(200, TaskDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, task_id: int):  # type: ignore[no-untyped-def]
        """One task with its form's JSON Schema and prefill values from the case."""
        current_actor()
        return task_detail(service_context(), task_id)


def _task_action(action, task_id: int):  # type: ignore[no-untyped-def]
    ctx = service_context()
    action(ctx, current_actor(), task_id)
    return task_detail(ctx, task_id)


@blp.route("/<int:task_id>/claim")
class Claim(MethodView):
    @blp.response(200, TaskDetailSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, task_id: int):  # type: ignore[no-untyped-def]
        """Claim a task of one of your roles."""
        return _task_action(claim_task, task_id)


@blp.route("/<int:task_id>/unclaim")
class Unclaim(MethodView):
    @blp.response(200, TaskDetailSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, task_id: int):  # type: ignore[no-untyped-def]
        """Release a task you claimed (a teamleider may release anyone's)."""
        return _task_action(unclaim_task, task_id)


@blp.route("/<int:task_id>/complete")
class Complete(MethodView):
    @blp.arguments(CompleteSchema)
    @blp.response(200, CompletionSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema)
    def post(self, body, task_id: int):  # type: ignore[no-untyped-def]
        """Complete a task with its form data (validated against the task's JSON Schema)."""
        return complete_task(service_context(), current_actor(), task_id, body["data"])
