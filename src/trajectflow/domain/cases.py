"""Case and task states and the rules that follow from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .tenancy import visible_municipalities


class CaseStatus:
    ACTIVE = "active"
    COMPLETED = "completed"
    ERRORED = "errored"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"
    ALL = (ACTIVE, COMPLETED, ERRORED, SUSPENDED, CANCELLED)


class TaskStatus:
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ALL = (OPEN, COMPLETED, CANCELLED)


CLOSED_PHASE = "afgesloten"


@dataclass(frozen=True)
class Actor:
    """Who is calling: a user name and the roles they hold."""

    username: str
    roles: frozenset[str]
    organisation: str | None = None
    municipality: str | None = None

    def holds(self, role: str | None) -> bool:
        return role is None or role in self.roles

    @property
    def municipalities(self) -> frozenset[str]:
        """The municipalities whose cases this user may see and act on (domain/tenancy.py)."""
        return visible_municipalities(self.organisation, self.municipality)


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
