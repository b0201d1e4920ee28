"""Loading aggregates for a use case, with the errors a caller should see."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ..domain.cases import CaseStatus
from ..domain.errors import NotFound
from ..engine.instance import EngineInstance
from ..engine.instance_cache import INSTANCE_CACHE
from ..engine.specs import SPEC_CACHE, ExecutableSpec
from ..store.models import Case, ProcessVersion, Task

M = TypeVar("M")


def get_or_404(session: Session, model: type[M], row_id: int, what: str, key: str) -> M:
    """The row of `model` with `row_id`, or NotFound naming it (`what`) and its id field (`key`)."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{what} {row_id} not found", {key: row_id})
    return row


def get_case(session: Session, case_id: int) -> Case:
    return get_or_404(session, Case, case_id, "case", "case_id")


def get_task(session: Session, task_id: int) -> Task:
    return get_or_404(session, Task, task_id, "task", "task_id")


# Keyed by id and content hash: an id alone can name another version after a database is
# restored from an older dump (or emptied, as the tests do) while the process keeps running.
_VERSION_ELEMENTS: dict[tuple[int, str], dict[str, Any]] = {}
_VERSION_FORMS: dict[tuple[int, str], dict[str, Any]] = {}


def version_elements(version: ProcessVersion) -> dict[str, Any]:
    """Element metadata of a version; versions never change, so it is read from the database once."""
    key = (version.id, version.content_hash)
    if key not in _VERSION_ELEMENTS:
        _VERSION_ELEMENTS[key] = version.elements
    return _VERSION_ELEMENTS[key]


def version_forms(version: ProcessVersion) -> dict[str, Any]:
    key = (version.id, version.content_hash)
    if key not in _VERSION_FORMS:
        _VERSION_FORMS[key] = version.forms
    return _VERSION_FORMS[key]


def executable(version: ProcessVersion) -> ExecutableSpec:
    # `sources` is deferred: read it (a query) only when the spec is not parsed yet.
    found = SPEC_CACHE.find(version.content_hash, version.process_id)
    return found or SPEC_CACHE.get(version.content_hash, version.process_id, version.sources)


def load_instance(session: Session, case: Case) -> tuple[ProcessVersion, EngineInstance]:
    """The case's process version and engine instance (from this process's cache when the row allows)."""
    with session.no_autoflush:  # a batch of cases writes everything at its commit, not here
        version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None  # foreign key
    cached = INSTANCE_CACHE.take(case.id, case.lock_version, version.content_hash, case.engine_state)
    return version, cached or EngineInstance.load(executable(version), case.engine_state)


def keep_instance(case: Case, version: ProcessVersion, instance: EngineInstance) -> None:
    """After a commit: remember the instance as the row now holds it, for the case's next step."""
    if case.status == CaseStatus.ACTIVE:
        INSTANCE_CACHE.keep(case.id, case.lock_version, version.content_hash, case.engine_state, instance)
