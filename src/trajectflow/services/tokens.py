"""API tokens: issued at sign-in (`POST /api/auth/token`) or made by hand as personal tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain.accounts import manages
from ..domain.cases import Actor
from ..domain.errors import NotFound, ValidationFailed
from ..store.models import User
from ..store.security_models import ApiToken
from .context import ServiceContext
from .token_secrets import digest_of, display_prefix, new_token

MAX_TOKEN_DAYS = 366


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str
    name: str
    expires_at: datetime | None


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def issue_token(ctx: ServiceContext, username: str, name: str, valid_for: timedelta | None) -> IssuedToken:
    """Make a token for `username`; the secret is returned once and only its digest is kept."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed("invalid token name", {"name": ["give a name of 1 to 100 characters"]})
    if valid_for is not None and not timedelta(0) < valid_for <= timedelta(days=MAX_TOKEN_DAYS):
        raise ValidationFailed("invalid expiry", {"expires_in_days": [f"between 1 and {MAX_TOKEN_DAYS} days"]})
    token = new_token()
    now = ctx.clock.now()
    expires_at = now + valid_for if valid_for is not None else None
    with ctx.uow() as uow:
        user_id = uow.session.scalar(select(User.id).where(User.username == username, User.active.is_(True)))
        if user_id is None:
            raise NotFound("unknown user")
        row = ApiToken(
            user_id=user_id,
            name=name,
            digest=digest_of(token),
            prefix=display_prefix(token),
            created_at=now,
            expires_at=expires_at,
        )
        uow.session.add(row)
        uow.commit()
        return IssuedToken(row.id, token, name, expires_at)


def list_tokens(ctx: ServiceContext, actor: Actor) -> list[TokenInfo]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(ApiToken)
            .join(User, User.id == ApiToken.user_id)
            .where(User.username == actor.username)
            .order_by(ApiToken.id.desc())
        ).all()
        return [_info(row) for row in rows]


def revoke_token(ctx: ServiceContext, actor: Actor, token_id: int) -> TokenInfo:
    """Revoke one of the actor's own tokens; a functioneel beheerder also those of the accounts they manage."""
    with ctx.uow() as uow:
        row = uow.session.execute(
            select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.id == token_id)
        ).first()
        if row is None:
            raise NotFound("token not found")
        token, owner = row
        if owner.username != actor.username and not manages(actor, owner.organisation, owner.municipality):
            raise NotFound("token not found")  # no hint that someone else's token exists
        if token.revoked_at is None:
            token.revoked_at = ctx.clock.now()
        uow.commit()
        return _info(token)


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.prefix, row.created_at, row.expires_at, row.revoked_at, row.last_used_at)
