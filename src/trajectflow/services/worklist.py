"""Read side of "Mijn werk": open tasks of a user and their groups, filtered, sorted and paged on indexed columns."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select

from ..domain.bsn import mask_bsn
from ..domain.cases import Actor, TaskStatus
from ..store.models import Case, Client, Task
from .context import ServiceContext
from .queries import Page

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
VIEWS = ("mine", "groups", "overdue", "week")
SORTS = ("due", "-due", "created", "-created", "client")
FILTER_FIELDS = ("view", "process_id", "phase", "municipality", "task_name", "due_from", "due_to", "client", "sort")


@dataclass(frozen=True)
class WorklistFilter:
    view: str = "mine"
    process_id: str | None = None
    phase: str | None = None
    municipality: str | None = None
    task_name: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    client: str | None = None
    sort: str = "due"
    page: int = 1
    page_size: int = 25

    def params(self) -> dict[str, str]:
        """The filter as plain strings (for links and saved filters), without empty values and paging."""
        out: dict[str, str] = {}
        for name in FILTER_FIELDS:
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> WorklistFilter:
        """Build from strings, dropping what is unknown or malformed (a bad link shows everything, not an error)."""
        values: dict[str, Any] = {}
        known = {f.name for f in fields(cls)}
        for name, raw in params.items():
            if name not in known or raw in (None, ""):
                continue
            text = str(raw).strip()
            if name in ("due_from", "due_to"):
                try:
                    values[name] = date.fromisoformat(text)
                except ValueError:
                    continue
            elif name in ("page", "page_size"):
                if text.isdecimal() and 0 < int(text) <= 10_000:
                    values[name] = int(text)
            else:
                values[name] = text[:200]
        if values.get("view") not in VIEWS:
            values.pop("view", None)
        if values.get("sort") not in SORTS:
            values.pop("sort", None)
        values["page_size"] = min(values.get("page_size", 25), 100)
        return cls(**values)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC)


def _week_end(now: datetime) -> datetime:
    local = now.astimezone(LOCAL_TZ).date()
    return _local_midnight(local + timedelta(days=7 - local.weekday()))


def _mine_or_groups(actor: Actor) -> Any:
    return or_(Task.assignee == actor.username, and_(Task.assignee.is_(None), Task.role.in_(sorted(actor.roles))))


def _query(actor: Actor, filters: WorklistFilter, now: datetime) -> Select[Task, Case, Client]:
    query = select(Task, Case, Client).join(Case, Case.id == Task.case_id).join(Client, Client.id == Case.client_id)
    return _filtered(query, actor, filters, now)


def _count_query(actor: Actor, filters: WorklistFilter, now: datetime) -> Select[Any]:
    """Counting needs the joins only for filters on the case or client: every task has a case and
    every case a client (foreign keys), and the group queue's count stays on one partial index."""
    if filters.municipality or filters.client:
        query = _query(actor, filters, now).with_only_columns(Task.id)
    else:
        query = _filtered(select(Task.id), actor, filters, now)
    return select(func.count()).select_from(query.subquery())


def _filtered(query: Any, actor: Actor, filters: WorklistFilter, now: datetime) -> Any:
    query = query.where(Task.status == TaskStatus.OPEN)
    if filters.view == "mine":
        query = query.where(Task.assignee == actor.username)
    elif filters.view == "groups":
        query = query.where(Task.assignee.is_(None), Task.role.in_(sorted(actor.roles)))
    elif filters.view == "overdue":
        query = query.where(_mine_or_groups(actor), Task.due_at < now)
    else:
        query = query.where(_mine_or_groups(actor), Task.due_at >= now, Task.due_at < _week_end(now))
    if filters.process_id:
        query = query.where(Task.process_id == filters.process_id)
    if filters.phase:
        query = query.where(Task.phase == filters.phase)
    if filters.municipality:
        query = query.where(Case.municipality == filters.municipality)
    if filters.task_name:
        query = query.where(func.lower(Task.name).like(f"%{_escape(filters.task_name.lower())}%", escape="\\"))
    if filters.due_from:
        query = query.where(Task.due_at >= _local_midnight(filters.due_from))
    if filters.due_to:
        query = query.where(Task.due_at < _local_midnight(filters.due_to + timedelta(days=1)))
    if filters.client:
        query = query.where(_client_condition(filters.client))
    return query


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _client_condition(term: str) -> Any:
    term = term.strip()
    if term.isascii() and term.isdigit() and len(term) <= 9:
        return or_(Client.bsn == term.zfill(9), Client.id == int(term))
    return func.lower(Client.name).like(f"%{_escape(term.lower())}%", escape="\\")


def _order(sort: str) -> tuple[Any, ...]:
    return {
        # NULLS LAST rather than `due_at IS NULL` first: the same order, and it can follow an index.
        "due": (Task.due_at.asc().nulls_last(), Task.id),
        "-due": (Task.due_at.desc().nulls_last(), Task.id.desc()),
        "created": (Task.created_at, Task.id),
        "-created": (Task.created_at.desc(), Task.id.desc()),
        "client": (Client.name, Task.id),
    }[sort]


def _item(task: Task, case: Case, client: Client, now: datetime, week_end: datetime) -> dict[str, Any]:
    return {
        "id": task.id,
        "name": task.name,
        "process_id": task.process_id,
        "phase": task.phase,
        "candidate_group": task.role,
        "assignee": task.assignee,
        "created_at": task.created_at,
        "due_at": task.due_at,
        "overdue": bool(task.due_at and task.due_at < now),
        "due_this_week": bool(task.due_at and now <= task.due_at < week_end),
        "case_id": case.id,
        "municipality": case.municipality,
        "client": {"id": client.id, "name": client.name, "bsn": mask_bsn(client.bsn)},
    }


def worklist(ctx: ServiceContext, actor: Actor, filters: WorklistFilter) -> Page:
    now = ctx.clock.now()
    query = _query(actor, filters, now)
    with ctx.uow(write=False) as uow:
        total = uow.session.scalar(_count_query(actor, filters, now)) or 0
        offset = (filters.page - 1) * filters.page_size
        rows = uow.session.execute(query.order_by(*_order(filters.sort)).offset(offset).limit(filters.page_size)).all()
        week_end = _week_end(now)
        items = [_item(task, case, client, now, week_end) for task, case, client in rows]
    return Page(items, total, filters.page, filters.page_size)


def count(ctx: ServiceContext, actor: Actor, filters: WorklistFilter) -> int:
    with ctx.uow(write=False) as uow:
        return uow.session.scalar(_count_query(actor, filters, ctx.clock.now())) or 0


def view_counts(ctx: ServiceContext, actor: Actor, filters: WorklistFilter) -> dict[str, int]:
    """How many tasks each view holds with the other filters applied (the numbers on the tabs)."""
    return {view: count(ctx, actor, replace(filters, view=view)) for view in VIEWS}


def filter_options(ctx: ServiceContext, actor: Actor) -> dict[str, list[str]]:
    """Processes and phases that occur in the user's open work, for the filter selects."""
    with ctx.uow(write=False) as uow:
        condition = and_(Task.status == TaskStatus.OPEN, _mine_or_groups(actor))
        # One scan of the open work for both selects (not one per select).
        pairs = uow.session.execute(select(Task.process_id, Task.phase).where(condition).distinct()).all()
        return {"processes": sorted({process for process, _ in pairs}), "phases": sorted({p for _, p in pairs if p})}
