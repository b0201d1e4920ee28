"""The main menu: each area of pages adds its entry once, with the roles that see it (none = everyone)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from ..domain.cases import Actor

# Menu labels live here so every area's entry is translated from one catalogue.
LABELS = {
    "worklist": _l("My work"),
    "melding": _l("New registration"),
    "supervisor": _l("Supervision"),
    "reports": _l("Reports"),
    "employers": _l("Employers"),
    "programmes": _l("Programmes"),
    "migration": _l("Move cases"),
    "designer": _l("Process design"),
    "admin": _l("Users"),
}


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label_key: str
    roles: frozenset[str]

    @property
    def label(self) -> str:
        return str(LABELS.get(self.label_key, self.label_key))

    def visible_to(self, actor: Actor | None) -> bool:
        return actor is not None and (not self.roles or bool(self.roles & actor.roles))


def add_nav_item(app: Flask, endpoint: str, label_key: str, roles: frozenset[str] | set[str] = frozenset()) -> None:
    app.extensions.setdefault("trajectflow_nav", []).append(NavItem(endpoint, label_key, frozenset(roles)))


def nav_items(actor: Actor | None) -> list[NavItem]:
    return [item for item in current_app.extensions.get("trajectflow_nav", []) if item.visible_to(actor)]
