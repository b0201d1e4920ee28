"""Loading aggregates for a use case, with the errors a caller should see."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.errors import NotFound
from ..engine.instance import EngineInstance
from ..engine.specs import SPEC_CACHE, ExecutableSpec
from ..store.models import Case, ProcessVersion, Task


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found", {"case_id": case_id})
    return case


def get_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"task {task_id} not found", {"task_id": task_id})
    return task


def executable(version: ProcessVersion) -> ExecutableSpec:
    return SPEC_CACHE.get(version.content_hash, version.process_id, version.sources)


def load_instance(session: Session, case: Case) -> tuple[ProcessVersion, EngineInstance]:
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None  # foreign key
    return version, EngineInstance.load(executable(version), case.engine_state)
