"""User administration: list, create and change accounts, set passwords, lift lock-outs, revoke tokens.

Every use case takes the acting user: a functioneel beheerder (role `beheerder`) manages only the
accounts of their own organisation or municipality (domain/accounts.py); accounts elsewhere do not
exist for them (404). `actor=None` is the command line on the server itself, which manages every
account (how a fresh install without demo mode gets its first beheerder).

A password change or deactivation revokes the account's API tokens in the same transaction.
Demo accounts keep their demo flag whatever is changed, so they stay unusable outside demo mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.accounts import (
    ADMIN_ROLE,
    DISPLAY_NAME_TOO_LONG,
    EMAIL_INVALID,
    OWN_ADMIN_ROLE,
    OWN_DEACTIVATION,
    ROLES_EMPTY,
    USERNAME_TAKEN,
    account_home,
    manages,
    password_problems,
    username_problems,
)
from ..domain.cases import Actor
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..store.models import User
from ..store.security_models import ApiToken, LoginFailure
from .context import ServiceContext
from .tokens import TokenInfo
from .users import check_account_fields, hash_password

CHANGEABLE = ("display_name", "roles", "organisation", "municipality", "email", "active")


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    roles: list[str]
    organisation: str | None
    municipality: str | None
    email: str | None
    active: bool
    demo: bool
    has_password: bool
    locked: bool = False
    failed_sign_ins: int = 0
    live_tokens: int = 0


@dataclass(frozen=True)
class NewAccount:
    username: str
    roles: list[str]
    display_name: str = ""
    organisation: str | None = None
    municipality: str | None = None
    email: str | None = None
    password: str | None = None


def require_admin(actor: Actor | None) -> None:
    if actor is not None and ADMIN_ROLE not in actor.roles:
        raise Forbidden("only a functioneel beheerder may manage accounts", {"required_role": [ADMIN_ROLE]})


def list_accounts(ctx: ServiceContext, actor: Actor | None, search: str | None = None) -> list[Account]:
    """The accounts the actor manages, by user name; `search` matches user name or display name."""
    require_admin(actor)
    query: Select[Any] = select(User).order_by(User.username)
    if actor is not None:
        query = _managed_by(query, actor)
    if search and search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(func.lower(User.username).like(pattern), func.lower(User.display_name).like(pattern)))
    with ctx.uow(write=False) as uow:
        users = uow.session.scalars(query).all()
        return _accounts(ctx, uow.session, users)


def get_account(ctx: ServiceContext, actor: Actor | None, username: str) -> Account:
    require_admin(actor)
    with ctx.uow(write=False) as uow:
        return _accounts(ctx, uow.session, [_managed_user(uow.session, actor, username)])[0]


def create_account(ctx: ServiceContext, actor: Actor | None, new: NewAccount) -> Account:
    """Make a local account; without a password it can sign in only through OpenID Connect."""
    require_admin(actor)
    username = new.username.strip()
    organisation, municipality = new.organisation or None, new.municipality or None
    if actor is not None and organisation is None and municipality is None:
        organisation, municipality = actor.organisation, actor.municipality  # the beheerder's own unit
    problems = _field_problems(username, new.roles, new.display_name, new.email)
    if new.password is not None:
        problems.update(_password_problem(username, new.password, demo=False))
    _raise_problems(problems, organisation, municipality, new.roles)
    _require_manages(actor, organisation, municipality)
    with ctx.uow() as uow:
        if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"user '{username}' already exists", {"username": [USERNAME_TAKEN]})
        user = User(
            username=username,
            display_name=(new.display_name or "").strip() or username,
            roles=list(dict.fromkeys(new.roles)),
            password_hash=hash_password(new.password) if new.password else None,
            active=True,
            email=(new.email or "").strip() or None,
            organisation=organisation,
            municipality=municipality,
            demo=False,
        )
        uow.session.add(user)
        _commit_unique(uow, username)
        return _accounts(ctx, uow.session, [user])[0]


def update_account(ctx: ServiceContext, actor: Actor | None, username: str, changes: Mapping[str, Any]) -> Account:
    """Change some of display_name, roles, organisation, municipality, email and active."""
    require_admin(actor)
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise ValidationFailed("unknown fields", {key: ["cannot be changed here"] for key in unknown})
    with ctx.uow() as uow:
        user = _managed_user(uow.session, actor, username)
        roles = list(changes.get("roles", user.roles))
        organisation = changes.get("organisation", user.organisation) or None
        municipality = changes.get("municipality", user.municipality) or None
        display_name = changes.get("display_name", user.display_name)
        email = changes.get("email", user.email)
        active = bool(changes.get("active", user.active))
        problems = _field_problems(user.username, roles, display_name, email)
        if actor is not None and user.username == actor.username:
            problems.update(_self_problems(roles, active))
        _raise_problems(problems, organisation, municipality, roles)
        _require_manages(actor, organisation, municipality)
        if user.active and not active:
            _revoke_tokens(uow.session, user.id, ctx.clock.now())
        user.roles, user.organisation, user.municipality = list(dict.fromkeys(roles)), organisation, municipality
        user.display_name = (display_name or "").strip() or user.username
        user.email, user.active = (email or "").strip() or None, active
        uow.commit()
        return _accounts(ctx, uow.session, [user])[0]


def set_password(ctx: ServiceContext, actor: Actor | None, username: str, password: str) -> int:
    """Set a new password (argon2); every API token of the account is revoked. Returns how many."""
    require_admin(actor)
    with ctx.uow() as uow:
        user = _managed_user(uow.session, actor, username)
        problems = password_problems(user.username, password, demo=user.demo)
        if problems:
            raise ValidationFailed("the password does not meet the policy", {"password": problems})
        user.password_hash = hash_password(password)
        revoked = _revoke_tokens(uow.session, user.id, ctx.clock.now())
        uow.commit()
        return revoked


def unlock_account(ctx: ServiceContext, actor: Actor | None, username: str) -> int:
    """Forget the account's failed sign-ins, lifting a lock-out at once; returns how many were forgotten."""
    require_admin(actor)
    with ctx.uow() as uow:
        user = _managed_user(uow.session, actor, username)
        result = uow.session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
        uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def revoke_account_tokens(ctx: ServiceContext, actor: Actor | None, username: str) -> int:
    """Revoke every live API token of the account; returns how many."""
    require_admin(actor)
    with ctx.uow() as uow:
        user = _managed_user(uow.session, actor, username)
        revoked = _revoke_tokens(uow.session, user.id, ctx.clock.now())
        uow.commit()
        return revoked


def account_tokens(ctx: ServiceContext, actor: Actor | None, username: str) -> list[TokenInfo]:
    """The account's API tokens (without secrets), newest first."""
    require_admin(actor)
    with ctx.uow(write=False) as uow:
        user = _managed_user(uow.session, actor, username)
        rows = uow.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
        return [
            TokenInfo(r.id, r.name, r.prefix, r.created_at, r.expires_at, r.revoked_at, r.last_used_at) for r in rows
        ]


# -- helpers ----------------------------------------------------------------------------------------
def _managed_by(query: Select[Any], actor: Actor) -> Select[Any]:
    home = account_home(actor.organisation, actor.municipality)
    if home is None:
        return query.where(false())
    kind, code = home
    if kind == "municipality":
        return query.where(User.municipality == code)
    return query.where(User.organisation == code, or_(User.municipality.is_(None), User.municipality == ""))


def _managed_user(session: Session, actor: Actor | None, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or (actor is not None and not manages(actor, user.organisation, user.municipality)):
        raise NotFound(f"no account '{username}'", {"username": username})
    return user


def _require_manages(actor: Actor | None, organisation: str | None, municipality: str | None) -> None:
    if actor is None or manages(actor, organisation, municipality):
        return
    own = account_home(actor.organisation, actor.municipality)
    raise Forbidden(
        "you manage only the accounts of your own organisation or municipality",
        {"organisation": organisation, "municipality": municipality, "yours": list(own) if own else None},
    )


def _field_problems(
    username: str, roles: list[str], display_name: str | None, email: str | None
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if username_problems(username):
        problems["username"] = username_problems(username)
    if not isinstance(roles, list) or not roles:
        problems["roles"] = [ROLES_EMPTY]
    if display_name is not None and len(display_name.strip()) > 200:
        problems["display_name"] = [DISPLAY_NAME_TOO_LONG]
    if email and (len(email.strip()) > 254 or "@" not in email.strip().strip("@")):
        problems["email"] = [EMAIL_INVALID]
    return problems


def _password_problem(username: str, password: str, demo: bool) -> dict[str, list[str]]:
    problems = password_problems(username, password, demo=demo)
    return {"password": problems} if problems else {}


def _self_problems(roles: list[str], active: bool) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if ADMIN_ROLE not in roles:
        problems["roles"] = [OWN_ADMIN_ROLE]
    if not active:
        problems["active"] = [OWN_DEACTIVATION]
    return problems


def _raise_problems(
    problems: dict[str, list[str]], organisation: str | None, municipality: str | None, roles: list[str]
) -> None:
    try:
        check_account_fields(roles if isinstance(roles, list) else [], organisation, municipality)
    except ValidationFailed as invalid:
        for key, messages in (invalid.details or {}).items():
            problems.setdefault(key, []).extend(messages)
    if problems:
        raise ValidationFailed("invalid account", problems)


def _commit_unique(uow: Any, username: str) -> None:
    try:
        uow.commit()
    except IntegrityError:
        uow.session.rollback()
        raise Conflict(f"user '{username}' already exists", {"username": [USERNAME_TAKEN]}) from None


def _revoke_tokens(session: Session, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _accounts(ctx: ServiceContext, session: Session, users: Any) -> list[Account]:
    users = list(users)
    names = [u.username for u in users]
    ids = [u.id for u in users]
    now = ctx.clock.now()
    window = now - timedelta(minutes=ctx.settings.login_lockout_minutes)
    failures = dict(
        session.execute(
            select(LoginFailure.username, func.count(LoginFailure.id))
            .where(LoginFailure.username.in_(names), LoginFailure.at > window)
            .group_by(LoginFailure.username)
        ).all()
    )
    live = or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now)
    tokens = dict(
        session.execute(
            select(ApiToken.user_id, func.count(ApiToken.id))
            .where(ApiToken.user_id.in_(ids), ApiToken.revoked_at.is_(None), live)
            .group_by(ApiToken.user_id)
        ).all()
    )
    return [
        Account(
            u.username,
            u.display_name,
            list(u.roles or []),
            u.organisation,
            u.municipality,
            u.email,
            bool(u.active),
            bool(u.demo),
            bool(u.password_hash),
            failures.get(u.username, 0) >= ctx.settings.login_max_failures,
            int(failures.get(u.username, 0)),
            int(tokens.get(u.id, 0)),
        )
        for u in users
    ]
