"""Saved worklist filters: personal, or shared with a team (everyone holding that role)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from ..domain.cases import Actor
from ..domain.errors import Forbidden, NotFound, ValidationFailed
from ..store.models import SavedFilter, User
from .context import ServiceContext
from .worklist import FILTER_FIELDS, WorklistFilter


def save_filter(ctx: ServiceContext, actor: Actor, name: str, params: dict[str, Any], team: str | None = None) -> int:
    """Store the worklist filter `params` under `name`; `team` shares it with a role the actor holds."""
    name = name.strip()
    if not name:
        raise ValidationFailed("a saved filter needs a name", {"name": ["required"]})
    if len(name) > 100:
        raise ValidationFailed("name too long", {"name": ["at most 100 characters"]})
    team = team or None
    if team is not None and team not in actor.roles:
        raise Forbidden(f"you can only share with a team you belong to ({sorted(actor.roles)})", {"team": team})
    clean = WorklistFilter.from_params({k: v for k, v in params.items() if k in FILTER_FIELDS}).params()
    with ctx.uow() as uow:
        row = SavedFilter(owner=actor.username, name=name, team=team, params=clean, created_at=ctx.clock.now())
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return row.id


def list_filters(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    """The actor's own filters and those shared with any of their teams, by name.

    A team is the holders of a role in the actor's own organisation (or municipality): a filter names and
    searches clients, so one shared by a klantmanager elsewhere is not theirs to see.
    """
    condition = SavedFilter.owner == actor.username
    if actor.roles:
        elsewhere = select(User.username).where(
            or_(
                User.organisation.is_distinct_from(actor.organisation),
                User.municipality.is_distinct_from(actor.municipality),
            )
        )
        condition = or_(condition, SavedFilter.team.in_(sorted(actor.roles)) & SavedFilter.owner.not_in(elsewhere))
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(SavedFilter).where(condition).order_by(SavedFilter.name, SavedFilter.id))
        return [
            {
                "id": row.id,
                "name": row.name,
                "owner": row.owner,
                "team": row.team,
                "params": row.params,
                "own": row.owner == actor.username,
            }
            for row in rows
        ]


def delete_filter(ctx: ServiceContext, actor: Actor, filter_id: int) -> None:
    with ctx.uow() as uow:
        row = uow.session.get(SavedFilter, filter_id)
        if row is None:
            raise NotFound(f"saved filter {filter_id} not found", {"filter_id": filter_id})
        if row.owner != actor.username:
            raise Forbidden("only the owner may delete a saved filter", {"owner": row.owner})
        uow.session.delete(row)
        uow.commit()
