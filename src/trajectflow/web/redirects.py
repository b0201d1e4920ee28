"""Where to go after a login or a form: only paths on this site, never another host."""

from __future__ import annotations

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "worklist.index") -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(default_endpoint)
