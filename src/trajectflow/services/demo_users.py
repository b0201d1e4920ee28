"""Demo accounts with the known password `demo`, usable only while demo mode is on (TRAJECTFLOW_DEMO=1).

One account per role, named after the role, working at Werkbedrijf Roermond (which serves Roermond,
Maasgouw and Roerdalen and sells services to Echt-Susteren and Leudal). A few more show tenancy:
staff of Laborijn (Oude IJsselstreek) and a klantmanager employed by the municipality of Leudal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import select

from ..domain.roles import ROLES
from ..store.models import User
from .context import ServiceContext
from .notifications import set_contact
from .users import ensure_user, hash_password

DEMO_PASSWORD = "demo"
DEMO_MAIL_DOMAIN = "demo.trajectflow.local"
DEMO_ORGANISATION = "werkbedrijf-roermond"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    roles: list[str]
    display_name: str
    organisation: str | None = DEMO_ORGANISATION
    municipality: str | None = None


def demo_accounts() -> list[DemoAccount]:
    accounts = [DemoAccount(role, [role], f"Demo {label}") for role, label in ROLES.items()]
    accounts += [
        DemoAccount("klantmanager-laborijn", ["klantmanager"], "Demo Klantmanager Laborijn", "laborijn"),
        DemoAccount("teamleider-laborijn", ["teamleider"], "Demo Teamleider Laborijn", "laborijn"),
        DemoAccount("klantmanager-leudal", ["klantmanager"], "Demo Klantmanager gemeente Leudal", None, "leudal"),
    ]
    return accounts


@cache
def _demo_password_hash() -> str:
    # One argon2 hash for every demo account: the password is public anyway, and hashing is slow by design.
    return hash_password(DEMO_PASSWORD)


def ensure_demo_users(ctx: ServiceContext) -> int:
    created = 0
    for account in demo_accounts():
        created += ensure_user(
            ctx,
            account.username,
            account.roles,
            DEMO_PASSWORD,
            account.display_name,
            organisation=account.organisation,
            municipality=account.municipality,
            demo=True,
            password_hash=_demo_password_hash(),
        )
        set_contact(ctx, account.username, f"{account.username}@{DEMO_MAIL_DOMAIN}")
    _mark_existing(ctx)
    return created


def _mark_existing(ctx: ServiceContext) -> None:
    """Accounts made by an older version carry no demo flag nor organisation yet."""
    accounts = {account.username: account for account in demo_accounts()}
    with ctx.uow() as uow:
        for user in uow.session.scalars(select(User).where(User.username.in_(accounts))):
            account = accounts[user.username]
            user.demo = True
            if user.organisation is None and user.municipality is None:
                user.organisation, user.municipality = account.organisation, account.municipality
        uow.commit()
