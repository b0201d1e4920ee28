"""Which BPMN elements instances have reached: for the coverage report of scenario runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from SpiffWorkflow.util.task import TaskState

from .compaction import PRUNE_OBSERVER
from .instance import EngineInstance

_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
FLOW_NODE_KINDS = {"task", "callActivity", "subProcess", "transaction", "adHocSubProcess"}


def is_flow_node(kind: str) -> bool:
    return kind in FLOW_NODE_KINDS or kind.endswith(("Task", "Event", "Gateway"))


def _reached(workflow: Any, tasks: list[Any], into: set[tuple[str, str]]) -> None:
    for task in tasks:
        if task.has_state(_REACHED) and task.task_spec.bpmn_id:
            into.add((workflow.spec.name, task.task_spec.bpmn_id))


def reached_elements(instance: EngineInstance) -> set[tuple[str, str]]:
    """(process id, element id) of every task the engine still holds as reached (run, ready or waiting)."""
    top = instance.workflow
    found: set[tuple[str, str]] = set()
    for workflow in (top, *top.subprocesses.values()):
        _reached(workflow, list(workflow.tasks.values()), found)
    return found


@contextmanager
def recording_pruned(into: set[tuple[str, str]]) -> Iterator[None]:
    """While active, elements of tasks that compaction prunes are added to `into`."""
    token = PRUNE_OBSERVER.set(lambda workflow, tasks: _reached(workflow, tasks, into))
    try:
        yield
    finally:
        PRUNE_OBSERVER.reset(token)
