"""Accounts signed in through OpenID Connect: a provider's subject is linked to one trajectflow user.

The first sign-in links or creates the account, named after the provider's username claim; later
sign-ins find it by (issuer, subject), whatever that claim says by then. Organisation or municipality
come from the provider's configuration and roles from its roles claim, at every sign-in: the provider
is where they are managed, so a role taken away there is gone here at the next sign-in.

A local account of the same name is never taken over silently: it is linked only when it has no
password (pre-provisioned by a functioneel beheerder for OIDC); otherwise the sign-in is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.cases import Actor
from ..domain.errors import Conflict, Unauthenticated
from ..store.models import User
from .context import ServiceContext
from .identity import actor_of
from .oidc_config import OidcProvider

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")

# Why a sign-in was refused; the pages phrase each one for the user.
NO_SUBJECT = "no_subject"
NO_USERNAME = "no_username"
LOCAL_ACCOUNT = "local_account"
LINKED_ELSEWHERE = "linked_elsewhere"
INACTIVE = "inactive"


class SignInRefused(Unauthenticated):
    """The provider vouched for someone, but trajectflow will not sign them in (see `reason`)."""

    code = "sign_in_refused"

    def __init__(self, reason: str, message: str, username: str | None = None) -> None:
        super().__init__(message, {"reason": reason})
        self.reason = reason
        self.username = username


@dataclass(frozen=True)
class OidcIdentity:
    """Who the provider says signed in, reduced to what trajectflow keeps."""

    issuer: str
    subject: str
    username: str | None
    display_name: str | None
    email: str | None
    roles: tuple[str, ...]


def claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name, or by a dotted path into nested claims (Keycloak's `realm_access.roles`)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def identity_from_claims(provider: OidcProvider, issuer: str, claims: dict[str, Any]) -> OidcIdentity:
    """Read subject, user name, name, email and roles from verified ID token or access token claims."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 300:
        raise SignInRefused(NO_SUBJECT, "the provider named no subject ('sub')")
    username = claim(claims, provider.username_claim)
    name, email = claims.get("name"), claims.get("email")
    return OidcIdentity(
        issuer=issuer,
        subject=subject,
        username=username.strip() if isinstance(username, str) and _USERNAME.match(username.strip()) else None,
        display_name=name.strip()[:200] if isinstance(name, str) and name.strip() else None,
        email=email.strip() if isinstance(email, str) and "@" in email and len(email.strip()) <= 254 else None,
        roles=tuple(provider.roles_from(claim(claims, provider.roles_claim))),
    )


def sign_in_oidc(ctx: ServiceContext, provider: OidcProvider, identity: OidcIdentity) -> Actor:
    """The user this identity signs in as: found by (issuer, subject), else linked or created.

    Roles, organisation and municipality are brought up to date from the provider; an API request
    with an unchanged identity only reads.
    """
    with ctx.uow(write=False) as uow:
        user = _linked_user(uow.session, identity)
        if user is not None and user.active and not _differs(user, provider, identity):
            return actor_of(user)
    try:
        return _link_and_update(ctx, provider, identity)
    except IntegrityError:
        pass  # a concurrent first sign-in created the same account a moment ago: it is linked now
    try:
        return _link_and_update(ctx, provider, identity)
    except IntegrityError:
        raise Conflict("the account is being set up by another sign-in; try again") from None


def _link_and_update(ctx: ServiceContext, provider: OidcProvider, identity: OidcIdentity) -> Actor:
    with ctx.uow() as uow:
        user = _linked_user(uow.session, identity) or _link_or_create(uow.session, identity)
        if not user.active:
            raise SignInRefused(INACTIVE, "this account is deactivated", user.username)
        _update(user, provider, identity)
        actor = actor_of(user)
        uow.commit()
        return actor


def _linked_user(session: Session, identity: OidcIdentity) -> User | None:
    return session.scalar(
        select(User).where(User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject)
    )


def _link_or_create(session: Session, identity: OidcIdentity) -> User:
    username = identity.username
    if username is None:
        raise SignInRefused(NO_USERNAME, "the provider gave no usable user name for a first sign-in")
    existing = session.scalar(select(User).where(User.username == username))
    if existing is None:
        user = User(
            username=username,
            display_name=identity.display_name or username,
            roles=[],
            password_hash=None,
            active=True,
            oidc_issuer=identity.issuer,
            oidc_subject=identity.subject,
            demo=False,
        )
        session.add(user)
        session.flush()
        return user
    if existing.oidc_subject is not None:
        raise SignInRefused(LINKED_ELSEWHERE, "this user name belongs to another sign-in account", username)
    if existing.password_hash:
        raise SignInRefused(LOCAL_ACCOUNT, "a local account with this user name exists", username)
    existing.oidc_issuer, existing.oidc_subject = identity.issuer, identity.subject
    return existing


def _differs(user: User, provider: OidcProvider, identity: OidcIdentity) -> bool:
    return (
        list(user.roles or []) != list(identity.roles)
        or user.organisation != provider.organisation
        or user.municipality != provider.municipality
        or (identity.display_name is not None and user.display_name != identity.display_name)
        or (identity.email is not None and user.email != identity.email)
    )


def _update(user: User, provider: OidcProvider, identity: OidcIdentity) -> None:
    if not _differs(user, provider, identity):
        return
    user.roles = list(identity.roles)
    user.organisation, user.municipality = provider.organisation, provider.municipality
    if identity.display_name is not None:
        user.display_name = identity.display_name
    if identity.email is not None:
        user.email = identity.email
