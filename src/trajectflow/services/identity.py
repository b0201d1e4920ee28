"""Who is calling. One seam: a session's user name or an API bearer token resolves to an Actor here."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..domain.cases import Actor
from ..domain.errors import Unauthenticated
from ..store.models import User
from ..store.security_models import ApiToken
from .context import ServiceContext
from .token_secrets import digest_of

# How stale `last_used_at` may get before a request writes it again (no write per request).
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def actor_of(user: User) -> Actor:
    return Actor(user.username, frozenset(user.roles), user.organisation, user.municipality)


def identify(ctx: ServiceContext, username: str | None) -> Actor:
    """The signed-in user of a page session; inactive or removed accounts lose access at once."""
    if not username:
        raise Unauthenticated("not signed in")
    with ctx.uow(write=False) as uow:
        user = uow.session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not usable(ctx, user):
            raise Unauthenticated("not signed in")
        return actor_of(user)


def usable(ctx: ServiceContext, user: User) -> bool:
    """Active, and not a demo account (known password) while demo mode is off."""
    return user.active and (ctx.settings.demo_mode or not user.demo)


def identify_token(ctx: ServiceContext, token: str) -> Actor:
    """The owner of a personal or issued API token that is neither expired nor revoked."""
    refused = Unauthenticated("the bearer token is unknown, expired or revoked")
    now = ctx.clock.now()
    with ctx.uow(write=False) as uow:
        row = uow.session.execute(
            select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.digest == digest_of(token))
        ).first()
        if row is None:
            raise refused
        api_token, user = row
        if api_token.revoked_at is not None or (api_token.expires_at is not None and api_token.expires_at <= now):
            raise refused
        if not usable(ctx, user):
            raise refused
        stale = api_token.last_used_at is None or now - api_token.last_used_at > _LAST_USED_RESOLUTION
        token_id, actor = api_token.id, actor_of(user)
    if stale:
        _touch(ctx, token_id)
    return actor


def _touch(ctx: ServiceContext, token_id: int) -> None:
    with ctx.uow() as uow:
        api_token = uow.session.get(ApiToken, token_id)
        if api_token is not None:
            api_token.last_used_at = ctx.clock.now()
            uow.commit()
