"""Moving a case's token to another user task, as a supervisor correction.

Two ways, chosen by what the task tree still holds:
- **rewind**: the target ran before and its task is still in the tree. SpiffWorkflow's
  `reset_from_task_id` drops everything after it and makes it ready again with the data it had then
  (the same operation spiff-arena offers as "reset to task").
- **jump**: the target lies ahead, or its earlier run was pruned by compaction. The live tasks of the
  (sub)process that contains the target are cancelled and the target is started after the most recent
  of them with the current data, the way spiff-arena skips tasks without running them: nothing in
  between is executed.

A target in a subprocess that is not running (a call activity not yet reached or already left) cannot
be reached either way; that is refused with a Conflict naming the element.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from ..domain.errors import Conflict, ValidationFailed

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
REWIND = "rewind"
JUMP = "jump"


@dataclass(frozen=True)
class TokenMove:
    mode: str
    process_id: str
    element_id: str


def user_task_ids(top: BpmnWorkflow) -> dict[str, list[str]]:
    """Element ids of the user tasks per process known to this workflow (top and subprocess specs)."""
    specs = [top.spec, *top.subprocess_specs.values()]
    return {
        spec.name: sorted({s.bpmn_id for s in spec.task_specs.values() if s.manual and s.bpmn_id}) for spec in specs
    }


def move_token(top: BpmnWorkflow, element_id: str) -> TokenMove:
    """Put the token on user task `element_id`; the caller runs the engine afterwards."""
    if not any(element_id in ids for ids in user_task_ids(top).values()):
        raise ValidationFailed(
            f"'{element_id}' is not a user task of this process",
            {"to_element_id": [f"unknown user task '{element_id}'"]},
        )
    current = [t for t in top.get_tasks(state=_LIVE) if t.task_spec.bpmn_id == element_id]
    if any(t.state != TaskState.ERROR for t in current):
        raise Conflict(f"the case is already at '{element_id}'", {"element_id": element_id})
    earlier = [t for t in top.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id == element_id]
    if earlier:
        target = max(earlier, key=lambda t: t.last_state_change)
        top.reset_from_task_id(target.id)
        _renew_ids(target)
        return TokenMove(REWIND, target.workflow.spec.name, element_id)
    workflow = _live_workflow_with(top, element_id)
    _jump(top, workflow, element_id)
    return TokenMove(JUMP, workflow.spec.name, element_id)


def _renew_ids(target: Any) -> None:
    """Give the reset task (and its boundary-event siblings) new ids: a new run is a new task.

    `reset_from_task_id` keeps the task's id, while our task projection keeps one row per engine task
    (the earlier, completed run stays in the history under the old id).
    """
    tasks = list(target.parent.children) if isinstance(target.parent.task_spec, BoundaryEventSplit) else [target]
    for task in tasks:
        old, new = task.id, uuid4()
        workflow = task.workflow
        del workflow.tasks[old]
        task.id = new
        workflow.tasks[new] = task
        task.parent._children = [new if child == old else child for child in task.parent._children]
        for child in task.children:
            child._parent = new


def _live_workflow_with(top: BpmnWorkflow, element_id: str) -> Any:
    candidates = [top, *(sp for sp in top.subprocesses.values() if not sp.completed)]
    for workflow in candidates:
        if _spec_of(workflow, element_id) is not None and _live_tasks(workflow):
            return workflow
    raise Conflict(
        f"'{element_id}' cannot be reached from where the case is now: its (sub)process is not running "
        "and no earlier run of it is left in the engine state",
        {"element_id": element_id},
    )


def _spec_of(workflow: Any, element_id: str) -> Any:
    return next((s for s in workflow.spec.task_specs.values() if s.bpmn_id == element_id and s.manual), None)


def _live_tasks(workflow: Any) -> list[Any]:
    return [t for t in workflow.tasks.values() if t.has_state(_LIVE)]


def _jump(top: BpmnWorkflow, workflow: Any, element_id: str) -> None:
    live = _live_tasks(workflow)
    origin = max(live, key=lambda t: (t.last_state_change, -len(_ancestors(t))))
    keep = {t.id for t in _ancestors(origin)}
    for task in live:
        if task.id in top.subprocesses:
            top.delete_subprocess(task)
        if task.id not in keep and task is not origin and not task.has_state(TaskState.FINISHED_MASK):
            task.cancel()
    spec = _spec_of(workflow, element_id)
    # A task with boundary events is entered through its split, so its timers start as well.
    entry = workflow.spec.task_specs.get(f"{spec.bpmn_id}.BoundaryEventSplit", spec)
    origin._set_state(TaskState.COMPLETED)
    origin._drop_children(force=True)
    child = origin._add_child(entry, TaskState.FUTURE)
    # As `Task.reset_branch` does: predict the new task's outputs, then let it become ready.
    child.task_spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
    child.task_spec._update(child)
    workflow.last_task = origin


def _ancestors(task: Any) -> list[Any]:
    chain = []
    while task.parent is not None:
        task = task.parent
        chain.append(task)
    return chain
