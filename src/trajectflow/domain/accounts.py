"""Rules for local accounts: the password policy and which accounts a functioneel beheerder manages.

A beheerder manages the accounts of their own organisation, or, when they work for a municipality,
of that municipality: the same unit tenancy uses (domain/tenancy.py), so an account's "home" is its
municipality when it has one, else its organisation. A beheerder with neither manages nobody.
"""

from __future__ import annotations

import re

from .cases import Actor

ADMIN_ROLE = "beheerder"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")

# The problems, as services report them per field; the pages translate them.
PASSWORD_EMPTY = "give a password"
PASSWORD_TOO_SHORT = f"use at least {MIN_PASSWORD_LENGTH} characters"
PASSWORD_TOO_LONG = f"use at most {MAX_PASSWORD_LENGTH} characters"
PASSWORD_IS_USERNAME = "the password may not be the user name"
USERNAME_INVALID = "2 to 100 characters: letters, digits and . _ - @, starting with a letter or digit"
USERNAME_TAKEN = "this user name is taken"
ROLES_EMPTY = "give at least one role"
OWN_ADMIN_ROLE = "you cannot take the beheerder role from your own account"
OWN_DEACTIVATION = "you cannot deactivate your own account"
DISPLAY_NAME_TOO_LONG = "use at most 200 characters"
EMAIL_INVALID = "give an email address like naam@example.nl"


def password_problems(username: str, password: str, *, demo: bool = False) -> list[str]:
    """Why `password` may not be set for `username` (empty when it may). Demo accounts are exempt."""
    if demo:
        return [] if password else [PASSWORD_EMPTY]
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(PASSWORD_TOO_SHORT)
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(PASSWORD_TOO_LONG)
    if password.strip().lower() == username.strip().lower():
        problems.append(PASSWORD_IS_USERNAME)
    return problems


def username_problems(username: str) -> list[str]:
    return [] if USERNAME_PATTERN.fullmatch(username) else [USERNAME_INVALID]


def account_home(organisation: str | None, municipality: str | None) -> tuple[str, str] | None:
    """The unit an account belongs to for administration: its municipality, else its organisation."""
    if municipality:
        return ("municipality", municipality)
    if organisation:
        return ("organisation", organisation)
    return None


def manages(admin: Actor, organisation: str | None, municipality: str | None) -> bool:
    """Whether `admin` (a beheerder) manages an account of this organisation and municipality."""
    home = account_home(admin.organisation, admin.municipality)
    return ADMIN_ROLE in admin.roles and home is not None and home == account_home(organisation, municipality)
