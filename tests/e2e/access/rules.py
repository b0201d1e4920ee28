"""Who may call what: one access rule per endpoint and method of the live URL map.

A rule says who may call (public, anyone signed in, holders of some roles, the owner of the object),
whether the call is about an object of a municipality (then it runs once per municipality of the
world, and a caller who may not see that municipality must be refused), and how to make a valid
request (URL values and body) — valid, so a refusal can only come from the access check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trajectflow.domain.roles import CASEWORK_ROLES

from .callers import Principal
from .world import ACCOUNTS, MANAGED, OWNER, Account, World

Who = Callable[[Principal, World, str | None], bool]


@dataclass(frozen=True)
class Target:
    values: dict[str, Any] = field(default_factory=dict)  # URL values
    json: Any = None
    data: dict[str, Any] | None = None  # a form (pages add the CSRF token)
    query: str = ""
    isolated: bool = False  # send from a copy of the session (sign-in, sign-out, language)


Make = Callable[["World", str | None], Target]


@dataclass(frozen=True)
class Rule:
    who: Who
    target: Callable[[World, str | None], Target] = lambda world, municipality: Target()
    per_municipality: bool = False  # about an object of a municipality: once per municipality
    tenancy: bool = True  # with per_municipality: refused to whoever may not see the municipality
    prepare: Callable[[World, str | None], None] | None = None  # puts the object back before each allowed call
    aggregates: bool = False  # counts per municipality: hidden municipalities' names must not show either
    public: bool = False

    def expects_access(self, principal: Principal, world: World, municipality: str | None) -> bool:
        if not self.who(principal, world, municipality):
            return False
        if self.per_municipality and self.tenancy and municipality is not None:
            return principal.may_see(municipality)
        return True


def _public(principal: Principal, world: World, municipality: str | None) -> bool:
    return True


def _signed_in(principal: Principal, world: World, municipality: str | None) -> bool:
    return principal.signed_in


def roles(*names: str) -> Who:
    wanted = frozenset(names)

    def holds(principal: Principal, world: World, municipality: str | None) -> bool:
        return bool(principal.roles & wanted)

    return holds


def owner_or(*names: str) -> Who:
    """The owner of the municipality's personal objects (notification, filter, token, claim), or a role holder."""
    wanted = frozenset(names)

    def allowed(principal: Principal, world: World, municipality: str | None) -> bool:
        assert municipality is not None
        return principal.username == OWNER[municipality] or bool(principal.roles & wanted)

    return allowed


def manages(admin: Principal, account: Account) -> bool:
    """A beheerder manages the accounts of their own unit: their municipality if they have one, else organisation."""
    if admin.account is None or "beheerder" not in admin.roles:
        return False
    home = ("municipality", account.municipality) if account.municipality else ("organisation", account.organisation)
    own = admin.account.municipality and ("municipality", admin.account.municipality)
    return home[1] is not None and home == (own or ("organisation", admin.account.organisation))


def owner_or_their_admin(principal: Principal, world: World, municipality: str | None) -> bool:
    """The owner of the municipality's personal objects, or a beheerder who manages the owner's account."""
    assert municipality is not None
    owner = ACCOUNTS[OWNER[municipality]]
    return principal.username == owner.username or manages(principal, owner)


def admin_of_managed(principal: Principal, world: World, municipality: str | None) -> bool:
    """A beheerder who manages the municipality's managed account (MANAGED)."""
    assert municipality is not None
    return manages(principal, MANAGED[municipality])


def public(target: Callable[[World, str | None], Target] | None = None) -> Rule:
    return Rule(_public, target or (lambda world, municipality: Target()), public=True)


def signed_in(target: Callable[[World, str | None], Target] | None = None, **options: Any) -> Rule:
    return Rule(_signed_in, target or (lambda world, municipality: Target()), **options)


def only(who: Who, target: Callable[[World, str | None], Target] | None = None, **options: Any) -> Rule:
    return Rule(who, target or (lambda world, municipality: Target()), **options)


TEAMLEIDER = roles("teamleider")
CASEWORK = roles(*CASEWORK_ROLES)
KLANTMANAGER = roles("klantmanager")  # the role of the first task of every case the world starts
DESIGNERS = roles("procesontwerper")
MIGRATORS = roles("procesontwerper", "teamleider")
EMPLOYER_STAFF = roles("werkgeversadviseur", "beheerder")
EVALUATORS = roles("werkgeversadviseur", "jobcoach", "klantmanager", "trajectbegeleider")
ENROLLERS = roles("klantmanager", "werkgeversadviseur", "teamleider")
PROGRAMME_STAFF = roles("teamleider", "beheerder")
BILLING = roles("teamleider", "beheerder")
ADMINS = roles("beheerder")
INZAGE = roles("klantmanager", "teamleider")


def rules() -> dict[str, dict[str, Rule]]:
    from .rules_api import API_RULES
    from .rules_pages import PAGE_RULES
    from .rules_security import SECURITY_RULES

    tables = (API_RULES, PAGE_RULES, SECURITY_RULES)
    merged: dict[str, dict[str, Rule]] = {}
    for table in tables:
        overlap = set(merged) & set(table)
        assert not overlap, f"endpoints with two rules: {sorted(overlap)}"
        merged.update(table)
    return merged
