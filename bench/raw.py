"""The reference: SpiffWorkflow in memory, no database, no HTTP, the product's sandboxed scripts.

The process files are parsed once; every route run creates a fresh BpmnWorkflow and completes its
user tasks with `task.data.update(answer); task.run(); do_engine_steps(); refresh_timers()`.
Only those completion steps are timed. Timers are forced (their due time set in the past), untimed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from trajectflow.engine.scripting import create_script_engine

from .route import PROCESS_ID, answer_for, raw_start_data

_LONG_AGO = "2000-01-01T00:00:00+00:00"


class RawRunner:
    name = "raw"

    def __init__(self, processes_dir: Path) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_files([str(p) for p in sorted(processes_dir.glob("*.bpmn"))])
        parser.add_dmn_files([str(p) for p in sorted(processes_dir.glob("*.dmn"))])
        self._spec = parser.get_spec(PROCESS_ID)
        self._subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self._script_engine = create_script_engine()

    def run_route(self) -> list[float]:
        """Drive one new workflow to its end; return the seconds each user-task completion took."""
        workflow = BpmnWorkflow(self._spec, self._subprocess_specs, script_engine=self._script_engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(raw_start_data())
        workflow.do_engine_steps()
        workflow.refresh_timers()
        durations: list[float] = []
        while not workflow.is_completed():
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                _force_next_timer(workflow)
                continue
            task = ready[0]
            answer = answer_for(task.task_spec.bpmn_id)
            started = time.perf_counter()
            task.data.update(answer)
            task.run()
            workflow.do_engine_steps()
            workflow.refresh_timers()
            durations.append(time.perf_counter() - started)
        return durations

    def close(self) -> None:
        pass


def _force_next_timer(workflow: BpmnWorkflow) -> None:
    timers = [t for t in workflow.get_tasks(state=TaskState.WAITING) if _is_timer(t)]
    if not timers:
        raise RuntimeError("the raw workflow is stuck: no ready user task and no waiting timer")
    timers[0]._set_internal_data(event_value=_LONG_AGO)
    workflow.refresh_timers()
    workflow.do_engine_steps()
    workflow.refresh_timers()


def _is_timer(task: Any) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
