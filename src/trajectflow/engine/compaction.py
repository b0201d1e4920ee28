"""Prune finished history from SpiffWorkflow task trees.

SpiffWorkflow keeps every task ever run in one tree; each loop iteration nests one level deeper.
Loops of hundreds of iterations then hit recursion limits and the task iterator's depth cap of
1,000, and every save grows with the case's age. Our own history table already records what
happened, so once all live tasks share a deep finished ancestor we cut the tree there, keeping a
margin of recent ancestors.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

KEEP_ANCESTORS = 4
COMPACT_AFTER_DEPTH = 12
_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
# Told about tasks before they are pruned (scenario coverage needs what ran, not only what is kept).
PRUNE_OBSERVER: ContextVar[Callable[[Any, list[Any]], None] | None] = ContextVar("prune_observer", default=None)


def _tell_observer(workflow: Any, tasks: list[Any]) -> None:
    observer = PRUNE_OBSERVER.get()
    if observer is not None:
        observer(workflow, tasks)


def compact(top: BpmnWorkflow) -> int:
    """Compact the top workflow and its subprocesses; return the number of tasks removed."""
    removed = 0
    for workflow in [top, *list(top.subprocesses.values())]:
        if workflow is top or any(sp is workflow for sp in top.subprocesses.values()):
            removed += _compact_one(top, workflow)
    return removed


def _compact_one(top: BpmnWorkflow, workflow: Any) -> int:
    if len(workflow.tasks) < COMPACT_AFTER_DEPTH:
        return 0  # too few tasks for a chain of finished ancestors that deep
    live = [t for t in workflow.tasks.values() if not t.has_state(_FINISHED)]
    if not live:
        return 0
    ancestor = _lowest_common_ancestor(live)
    chain = _ancestors(ancestor)
    if len(chain) < COMPACT_AFTER_DEPTH:
        return 0
    new_root = chain[KEEP_ANCESTORS] if len(chain) > KEEP_ANCESTORS else ancestor
    if not new_root.has_state(_FINISHED):
        return 0
    keep = _subtree_ids(new_root)
    dropped = [tid for tid in workflow.tasks if tid not in keep]
    _tell_observer(workflow, [workflow.tasks[tid] for tid in dropped])
    for task_id in dropped:
        _drop_subprocess(top, task_id)
        del workflow.tasks[task_id]
    new_root._parent = None
    workflow.task_tree = new_root
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = new_root
    return len(dropped)


def _ancestors(task: Any) -> list[Any]:
    """`task` and its ancestors, nearest first."""
    chain = [task]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return chain


def _lowest_common_ancestor(tasks: list[Any]) -> Any:
    common = _ancestors(tasks[0])
    for task in tasks[1:]:
        seen = {t.id for t in _ancestors(task)}
        common = [t for t in common if t.id in seen]
    return common[0]


def _subtree_ids(root: Any) -> set[UUID]:
    ids, todo = set(), [root]
    while todo:
        task = todo.pop()
        ids.add(task.id)
        todo.extend(task.children)
    return ids


def _drop_subprocess(top: BpmnWorkflow, task_id: UUID) -> None:
    subprocess = top.subprocesses.pop(task_id, None)
    if subprocess is None:
        return
    _tell_observer(subprocess, list(subprocess.tasks.values()))
    for nested_id in list(subprocess.tasks):
        _drop_subprocess(top, nested_id)
