"""Local user accounts."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select

from ..domain.errors import ValidationFailed
from ..domain.roles import ROLES
from ..store.models import User
from .context import ServiceContext

_HASHER = PasswordHasher()


def ensure_user(ctx: ServiceContext, username: str, roles: list[str], password: str | None, display_name: str) -> bool:
    """Create the user when missing; return True when created."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ValidationFailed("unknown roles", {"roles": [f"unknown role '{r}'" for r in unknown]})
    with ctx.uow() as uow:
        if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
            return False
        uow.session.add(
            User(
                username=username,
                display_name=display_name,
                roles=roles,
                password_hash=_HASHER.hash(password) if password else None,
                active=True,
            )
        )
        uow.commit()
        return True
