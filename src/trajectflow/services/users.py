"""Local user accounts."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select

from ..domain.cases import Actor
from ..domain.errors import TooManyAttempts, Unauthenticated, ValidationFailed
from ..domain.municipalities import MUNICIPALITIES
from ..domain.organisations import ORGANISATIONS
from ..domain.roles import ROLES
from ..store.models import User
from ..store.security_models import LoginFailure
from .context import ServiceContext
from .identity import actor_of

_HASHER = PasswordHasher()


def ensure_user(
    ctx: ServiceContext,
    username: str,
    roles: list[str],
    password: str | None,
    display_name: str,
    *,
    organisation: str | None = None,
    municipality: str | None = None,
    demo: bool = False,
    password_hash: str | None = None,
) -> bool:
    """Create the user when missing; return True when created. `password_hash`: an argon2 hash made before."""
    check_account_fields(roles, organisation, municipality)
    with ctx.uow() as uow:
        if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
            return False
        uow.session.add(
            User(
                username=username,
                display_name=display_name,
                roles=roles,
                password_hash=password_hash or (_HASHER.hash(password) if password else None),
                active=True,
                organisation=organisation,
                municipality=municipality,
                demo=demo,
            )
        )
        uow.commit()
        return True


def check_account_fields(roles: list[str], organisation: str | None, municipality: str | None) -> None:
    problems: dict[str, list[str]] = {}
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        problems["roles"] = [f"unknown role '{r}'" for r in unknown]
    if organisation is not None and organisation not in ORGANISATIONS:
        problems["organisation"] = [f"unknown organisation '{organisation}'"]
    if municipality is not None and municipality not in MUNICIPALITIES:
        problems["municipality"] = [f"unknown municipality '{municipality}'"]
    if problems:
        raise ValidationFailed("invalid account", problems)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def authenticate(ctx: ServiceContext, username: str, password: str, origin_ip: str | None = None) -> Actor:
    """Check a local account's password against its argon2 hash; the same error for every failure.

    After `login_max_failures` failures within `login_lockout_minutes` the account name is locked for
    that long, whatever the password: failures are counted per name, known or not, so a lock-out tells
    nothing about which accounts exist.
    """
    name = username.strip()
    _refuse_while_locked(ctx, name)
    refused = Unauthenticated("unknown user name or wrong password")
    with ctx.uow(write=False) as uow:
        user = uow.session.scalar(select(User).where(User.username == name))
        known = user is not None and user.active and bool(user.password_hash)
        if user is not None and user.demo and not ctx.settings.demo_mode:
            known = False  # demo accounts have known passwords: usable only in demo mode
        actor = actor_of(user) if user is not None else None
        password_hash = user.password_hash if user is not None else None
    if not known or password_hash is None:
        _spend_verify_time(password)
        _record_failure(ctx, name, origin_ip)
        raise refused
    try:
        _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        _record_failure(ctx, name, origin_ip)
        raise refused from None
    _clear_failures(ctx, name)
    assert actor is not None
    return actor


def _refuse_while_locked(ctx: ServiceContext, username: str) -> None:
    settings = ctx.settings
    window = timedelta(minutes=settings.login_lockout_minutes)
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        count, latest = uow.session.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
                LoginFailure.username == username, LoginFailure.at > now - window
            )
        ).one()
    if count >= settings.login_max_failures and latest is not None:
        seconds = max(1, int((latest + window - now).total_seconds()))
        raise TooManyAttempts(
            f"too many failed sign-ins for this account; try again in {max(1, -(-seconds // 60))} minutes", seconds
        )


def _record_failure(ctx: ServiceContext, username: str, origin_ip: str | None) -> None:
    with ctx.uow() as uow:
        uow.session.add(LoginFailure(username=username[:100], at=ctx.clock.now(), origin_ip=origin_ip))
        uow.commit()


def _clear_failures(ctx: ServiceContext, username: str) -> None:
    with ctx.uow() as uow:
        uow.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
        uow.commit()


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
