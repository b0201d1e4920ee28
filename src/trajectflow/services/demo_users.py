"""Demo accounts: one per role, named after the role, password `demo` (only for demo mode)."""

from __future__ import annotations

from ..domain.roles import ROLES
from .context import ServiceContext
from .notifications import set_contact
from .users import ensure_user

DEMO_PASSWORD = "demo"
DEMO_MAIL_DOMAIN = "demo.trajectflow.local"


def demo_accounts() -> list[tuple[str, list[str], str]]:
    accounts = [(role, [role], f"Demo {label}") for role, label in ROLES.items()]
    return accounts


def ensure_demo_users(ctx: ServiceContext) -> int:
    created = 0
    for username, roles, display_name in demo_accounts():
        created += ensure_user(ctx, username, roles, DEMO_PASSWORD, display_name)
        set_contact(ctx, username, f"{username}@{DEMO_MAIL_DOMAIN}")
    return created
