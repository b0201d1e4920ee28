"""One running process instance: start, load, step, complete user tasks, fire timers, report state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from ..domain.clock import Clock, FixedClock
from ..domain.errors import Conflict, EngineFailure, NotFound
from .clock_bridge import bound_clock
from .compaction import compact
from .scripting import create_script_engine
from .serializer import dump_instance, load_instance
from .specs import ExecutableSpec
from .token import TokenMove, move_token, user_task_ids

_SCRIPT_ENGINE = create_script_engine()
_MAX_ROUNDS = 10_000


@dataclass(frozen=True)
class ReadyTask:
    engine_id: str
    process_id: str
    element_id: str
    name: str


@dataclass(frozen=True)
class WaitingTimer:
    engine_id: str
    process_id: str
    element_id: str
    due_at: datetime


@dataclass(frozen=True)
class LiveState:
    """What the projection needs from the task tree, gathered in one walk over its live tasks."""

    ready: list[ReadyTask]
    timers: list[WaitingTimer]
    active: list[tuple[str, str]]
    latest: Any | None  # the most recently changed live task (its data is the process data)
    engine_work: bool


class EngineInstance:
    def __init__(self, workflow: BpmnWorkflow) -> None:
        self.workflow = workflow
        self.workflow.script_engine = _SCRIPT_ENGINE
        self._live: LiveState | None = None

    # -- creation and persistence -------------------------------------------------------------
    @classmethod
    def start(cls, spec: ExecutableSpec, data: dict[str, Any], clock: Clock) -> EngineInstance:
        workflow = BpmnWorkflow(spec.spec, spec.subprocess_specs, script_engine=_SCRIPT_ENGINE)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        instance = cls(workflow)
        instance.advance(clock)
        return instance

    @classmethod
    def load(cls, spec: ExecutableSpec, state: bytes) -> EngineInstance:
        return cls(load_instance(state, spec.spec, spec.subprocess_specs))

    def dump(self) -> bytes:
        return dump_instance(self.workflow)

    # -- running ------------------------------------------------------------------------------
    def advance(self, clock: Clock) -> None:
        """Run engine tasks and due timers until only user tasks and future timers are left.

        Raises EngineFailure when a script, gateway or decision fails; the workflow is then left
        with the failing task in ERROR state, which the caller may store for a later retry.
        """
        self._live = None
        with bound_clock(clock):
            try:
                for _ in range(_MAX_ROUNDS):
                    self.workflow.do_engine_steps()
                    self.workflow.refresh_timers()
                    self._live = None
                    if not self.live.engine_work:
                        break
            except WorkflowTaskException as err:
                raise _failure(err) from None
            except SpiffWorkflowException as err:
                raise _spec_failure(err) from None
        compact(self.workflow)

    def complete(self, engine_id: str, data: dict[str, Any], clock: Clock) -> None:
        task = self._task(engine_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise Conflict(f"task {task.task_spec.bpmn_id} is {TaskState.get_name(task.state)}, not a ready user task")
        task.data.update(data)
        self._live = None
        with bound_clock(clock):
            try:
                task.run()
            except WorkflowTaskException as err:
                raise _failure(err) from None
        self.advance(clock)

    def fire_timers(self, now: datetime) -> None:
        """Let every timer due at or before `now` fire, then continue the process."""
        clock = FixedClock(now + timedelta(microseconds=1))
        with bound_clock(clock):
            self.workflow.refresh_timers()  # the due timers become ready, so the first round runs them
        self.advance(clock)

    def retry_errors(self, clock: Clock) -> None:
        for task in self.workflow.get_tasks(state=TaskState.ERROR):
            task._set_state(TaskState.READY)
        self.advance(clock)

    def cancel(self) -> None:
        """Cancel every unfinished task; the workflow counts as finished afterwards."""
        self._live = None
        self.workflow.cancel()

    def move_token(self, element_id: str, clock: Clock) -> TokenMove:
        """Put the token on user task `element_id` (see engine/token.py) and run on to the next wait.

        Raises EngineFailure when the engine fails on the way; the move itself then stands.
        """
        self._live = None
        move = move_token(self.workflow, element_id)
        self.advance(clock)
        return move

    def user_task_ids(self) -> dict[str, list[str]]:
        return user_task_ids(self.workflow)

    def _task(self, engine_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(engine_id))
        except (ValueError, SpiffWorkflowException):
            task = None
        if task is None:
            raise NotFound(f"task {engine_id} is not part of this case")
        return task

    # -- reading state --------------------------------------------------------------------------
    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def live(self) -> LiveState:
        """Ready user tasks, waiting timers, active elements and the latest data: one walk, cached per step."""
        if self._live is None:
            self._live = _gather(self.workflow)
        return self._live

    def ready_user_tasks(self) -> list[ReadyTask]:
        return list(self.live.ready)

    def waiting_timers(self) -> list[WaitingTimer]:
        return list(self.live.timers)

    def errored_task(self) -> Any | None:
        errored = self.workflow.get_tasks(state=TaskState.ERROR)
        return errored[0] if errored else None

    def active_elements(self) -> list[tuple[str, str]]:
        """(process id, element id) of tasks that are ready or waiting, deepest first."""
        return list(self.live.active)

    def task_data(self, engine_id: str) -> dict[str, Any]:
        return dict(self._task(engine_id).data)

    def current_data(self) -> dict[str, Any]:
        """The process data as it stands: the data of the most recently changed live task."""
        latest = self.live.latest
        if latest is None:
            last = self.workflow.last_task or self.workflow.task_tree
            return dict(last.data) if last is not None else {}
        return dict(latest.data)

    def final_data(self) -> dict[str, Any]:
        ends = [t for t in self.workflow.get_tasks(state=TaskState.COMPLETED) if t.workflow is self.workflow]
        if not ends:
            return {}
        return dict(max(ends, key=lambda t: t.last_state_change).data)


_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _gather(workflow: BpmnWorkflow) -> LiveState:
    ready, timers, active, engine_work = [], [], [], False
    latest, latest_key = None, (0.0, 0)
    for task in workflow.get_tasks(state=_LIVE):
        spec = task.task_spec
        process_id = task.workflow.spec.name
        if task.state == TaskState.READY:
            if spec.manual:
                ready.append(ReadyTask(str(task.id), process_id, spec.bpmn_id, spec.bpmn_name or spec.bpmn_id))
            else:
                engine_work = True
        elif task.state == TaskState.WAITING and isinstance(
            getattr(spec, "event_definition", None), TimerEventDefinition
        ):
            due = _due_at(task)
            if due is not None:
                timers.append(WaitingTimer(str(task.id), process_id, spec.bpmn_id, due))
        if spec.bpmn_id:
            active.append((task.workflow.depth, process_id, spec.bpmn_id))
        key = (task.last_state_change, -task.workflow.depth)
        if latest is None or key > latest_key:
            latest, latest_key = task, key
    active.sort(key=lambda item: -item[0])
    return LiveState(ready, timers, [(p, e) for _, p, e in active], latest, engine_work)


def _due_at(task: Any) -> datetime | None:
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not value:
        return None
    try:
        due = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def _spec_failure(err: SpiffWorkflowException) -> EngineFailure:
    """Errors raised by a task spec (a gateway with no matching condition) name the spec, not a task."""
    spec = getattr(err, "task_spec", None)
    element_id, name = getattr(spec, "bpmn_id", None), getattr(spec, "bpmn_name", None)
    return EngineFailure(str(err), element_id=element_id, task_name=name)


def _failure(err: WorkflowTaskException) -> EngineFailure:
    task = getattr(err, "task", None)
    element_id = task.task_spec.bpmn_id if task is not None else None
    name = task.task_spec.bpmn_name if task is not None else None
    message = str(err)
    if getattr(err, "line_number", None):
        message = f"{message} (script line {err.line_number})"
    return EngineFailure(message, element_id=element_id, task_name=name)
