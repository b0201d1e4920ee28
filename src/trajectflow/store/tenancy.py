"""Tenancy enforced in one place: every ORM query of a request sees only the caller's municipalities.

The API and the pages set the caller's scope for the duration of a request (`tenant_scope`); a
session event then adds a criterion to every SELECT, UPDATE and DELETE on case-owned tables, so no
list, report, export or lookup has to remember it. Outside a request (CLI, scheduler, tests of the
service layer) there is no scope: those act for the system as a whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from .models import Case, CaseEvent, CaseNote, Client, Notification, Task, TaskDraft, Timer
from .registry_models import EmployerPlan, Placement, ProgrammeEnrolment

# None: no restriction (system work). A frozenset: the municipalities the caller may see.
_SCOPE: ContextVar[frozenset[str] | None] = ContextVar("trajectflow_tenant_scope", default=None)

# Skip the criteria for one statement: `session.execute(stmt, execution_options={ALL_TENANTS: True})`.
ALL_TENANTS = "trajectflow_all_tenants"

_BY_CASE = (CaseEvent, CaseNote, Timer, Placement, ProgrammeEnrolment, EmployerPlan)


def current_scope() -> frozenset[str] | None:
    return _SCOPE.get()


def set_scope(municipalities: frozenset[str] | None) -> Any:
    """Set the scope and return a token for `reset_scope` (for request hooks)."""
    return _SCOPE.set(municipalities)


def reset_scope(token: Any) -> None:
    _SCOPE.reset(token)


@contextlib.contextmanager
def tenant_scope(municipalities: frozenset[str] | None) -> Iterator[None]:
    token = _SCOPE.set(municipalities)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def in_scope(municipality: str | None) -> bool:
    scope = _SCOPE.get()
    return scope is None or municipality in scope


@event.listens_for(Session, "do_orm_execute")
def _restrict_to_scope(state: ORMExecuteState) -> None:
    scope = _SCOPE.get()
    if scope is None or state.execution_options.get(ALL_TENANTS):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(*_criteria(tuple(sorted(scope))))


@lru_cache(maxsize=256)
def _criteria(allowed: tuple[str, ...]) -> tuple[Any, ...]:
    """The loader criteria of one scope, built once: building them costs more than most queries."""
    municipalities = list(allowed)
    visible_cases = select(Case.id).where(Case.municipality.in_(municipalities))
    clients_with_visible_cases = select(Case.client_id).where(Case.municipality.in_(municipalities))
    return (
        with_loader_criteria(Case, Case.municipality.in_(municipalities), include_aliases=True),
        # A client who moved may have cases in a municipality other than the one on their record.
        with_loader_criteria(
            Client,
            or_(Client.municipality.in_(municipalities), Client.id.in_(clients_with_visible_cases)),
            include_aliases=True,
        ),
        with_loader_criteria(Task, Task.case_id.in_(visible_cases), include_aliases=True),
        with_loader_criteria(Notification, Notification.case_id.in_(visible_cases), include_aliases=True),
        with_loader_criteria(
            TaskDraft,
            TaskDraft.task_id.in_(select(Task.id).where(Task.case_id.in_(visible_cases))),
            include_aliases=True,
        ),
        *(with_loader_criteria(model, model.case_id.in_(visible_cases), include_aliases=True) for model in _BY_CASE),
    )
