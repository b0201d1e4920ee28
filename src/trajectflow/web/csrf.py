"""CSRF protection for the session-authenticated pages: a per-session token in every form and htmx request.

The REST API is left alone: it does not use the session cookie (callers name themselves in a header).
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

TOKEN_FIELD = "csrf_token"
TOKEN_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def csrf_token() -> str:
    if TOKEN_FIELD not in session:
        session[TOKEN_FIELD] = secrets.token_urlsafe(32)
    return str(session[TOKEN_FIELD])


def _check() -> None:
    if request.method in _SAFE_METHODS or request.path.startswith("/api/") or request.blueprint is None:
        return
    expected = session.get(TOKEN_FIELD)
    given = request.form.get(TOKEN_FIELD) or request.headers.get(TOKEN_HEADER)
    if not expected or not given or not hmac.compare_digest(str(expected), str(given)):
        abort(400, description="csrf")


def install_csrf(app: Flask) -> None:
    app.before_request(_check)
    app.jinja_env.globals["csrf_token"] = csrf_token
