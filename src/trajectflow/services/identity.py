"""Who is calling. One seam: the API resolves a user name to an Actor here, whatever authenticated it."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.cases import Actor
from ..domain.errors import Unauthenticated
from ..store.models import User
from .context import ServiceContext


def identify(ctx: ServiceContext, username: str | None) -> Actor:
    if not username:
        raise Unauthenticated("who are you? send the X-Trajectflow-User header with a user name")
    with ctx.uow(write=False) as uow:
        user = uow.session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active:
            raise Unauthenticated(f"unknown user '{username}'")
        return Actor(user.username, frozenset(user.roles))
