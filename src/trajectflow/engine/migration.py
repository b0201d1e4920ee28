"""Moving a running instance onto another version of its process.

The instance keeps its live tasks (ready user tasks, waiting timers, running call activities) with
their data and ids; everything before them is history (our case events keep it), so it is pruned
back to the lowest finished ancestor, finished subprocesses are dropped and the tasks predicted
after the live ones are predicted again from the new spec. A live task whose element the new
version lacks blocks the migration: the case would have no way on.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from ..domain.clock import Clock
from ..domain.errors import Conflict
from .compaction import _drop_subprocess, _lowest_common_ancestor, _subtree_ids
from .instance import EngineInstance
from .serializer import dump_instance, load_instance
from .specs import ExecutableSpec

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def missing_elements(instance: EngineInstance, target: ExecutableSpec) -> list[tuple[str, str]]:
    """(process id, element id) of the live tasks that `target` has no element for."""
    missing = []
    for process_id, element_id in instance.active_elements():
        spec = target.spec if process_id == target.spec.name else target.subprocess_specs.get(process_id)
        if spec is None or not any(s.bpmn_id == element_id for s in spec.task_specs.values()):
            missing.append((process_id, element_id))
    return list(dict.fromkeys(missing))


def migrate_instance(instance: EngineInstance, target: ExecutableSpec, clock: Clock) -> EngineInstance:
    """The instance on `target`; raises Conflict naming the elements when it cannot be moved."""
    missing = missing_elements(instance, target)
    if missing:
        raise Conflict(
            "not in the new version: " + ", ".join(f"{pid}/{eid}" for pid, eid in missing),
            {"missing": [eid for _, eid in missing]},
        )
    top = instance.workflow
    _prune(top, top)
    for key, workflow in list(top.subprocesses.items()):
        if key in top.subprocesses:
            _prune(top, workflow)
    dct = json.loads(zlib.decompress(dump_instance(top)))
    _point_roots_at_known_specs(dct, target.spec)
    try:
        workflow = load_instance(zlib.compress(json.dumps(dct).encode()), target.spec, target.subprocess_specs)
    except KeyError as err:
        raise Conflict(f"the case's engine state refers to {err}, which the new version lacks") from None
    for each in (workflow, *workflow.subprocesses.values()):
        for task in each.get_tasks(state=_LIVE):
            if not task.children:
                task.task_spec._predict(task, mask=_LIVE | TaskState.PREDICTED_MASK | TaskState.FUTURE)
    migrated = EngineInstance(workflow)
    migrated.advance(clock)
    return migrated


def _prune(top: BpmnWorkflow, workflow: Any) -> None:
    live = [t for t in workflow.tasks.values() if t.has_state(_LIVE)]
    if not live:
        if workflow is not top:
            # A finished subprocess is history; its call activity task is done with it.
            owner = next((k for k, sp in top.subprocesses.items() if sp is workflow), None)
            if owner is not None:
                _drop_subprocess(top, owner)
        return
    for task in live:
        task._drop_children(force=True)  # predicted from the old spec; predicted again afterwards
    ancestor = _lowest_common_ancestor(live)
    root = ancestor.parent if ancestor.has_state(_LIVE) and ancestor.parent is not None else ancestor
    if root.has_state(_LIVE):
        return
    keep = _subtree_ids(root)
    for task_id in [tid for tid in workflow.tasks if tid not in keep]:
        _drop_subprocess(top, task_id)
        del workflow.tasks[task_id]
    root._parent = None
    workflow.task_tree = root
    if workflow.last_task is None or workflow.last_task.id not in keep:
        workflow.last_task = root


def _point_roots_at_known_specs(dct: dict[str, Any], spec: Any) -> None:
    """The pruned root is finished history; when the new spec lacks its element it stands in as Start."""
    root = dct["tasks"][dct["root"]]
    if root["task_spec"] not in spec.task_specs:
        root["task_spec"] = "Start"
