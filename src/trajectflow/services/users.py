"""Local user accounts."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from ..domain.cases import Actor
from ..domain.errors import Unauthenticated, ValidationFailed
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


def authenticate(ctx: ServiceContext, username: str, password: str) -> Actor:
    """Check a local account's password against its argon2 hash; the same error for every failure."""
    refused = Unauthenticated("unknown user name or wrong password")
    with ctx.uow(write=False) as uow:
        user = uow.session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active or not user.password_hash:
            _spend_verify_time(password)
            raise refused
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise refused from None
        return Actor(user.username, frozenset(user.roles))


def display_name(ctx: ServiceContext, username: str) -> str:
    with ctx.uow(write=False) as uow:
        name = uow.session.scalar(select(User.display_name).where(User.username == username))
        return name or username


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("timing-equaliser")


def _spend_verify_time(password: str) -> None:
    """Spend the same time on unknown users as on wrong passwords, so user names cannot be probed."""
    try:
        _HASHER.verify(_dummy_hash(), password)
    except VerifyMismatchError:
        pass
