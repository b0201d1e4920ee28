"""Sign-in for the pages. One seam: `sign_in` checks a local account; OIDC has its own callback.

The session holds only the user name and when it signed in and was last used; every request
resolves the name through `services.identity`, so a deactivated account loses access at once and
roles are always current. A session ends after SESSION_IDLE without a request or SESSION_ABSOLUTE
after sign-in, measured with the service clock. The cookie (`session_cookie_config`) is HttpOnly,
SameSite=Lax and Secure when served over HTTPS; its signature is refused SESSION_ABSOLUTE after it
was last written, whatever the service clock says. OIDC sign-in starts its session with `start_session`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..domain.cases import Actor
from ..domain.errors import Forbidden, TooManyAttempts, Unauthenticated
from ..domain.organisations import ORGANISATIONS
from ..services.context import ServiceContext
from ..services.demo_users import DEMO_PASSWORD, demo_accounts
from ..services.identity import identify
from ..services.login_rate import check_sign_in_rate
from ..services.users import authenticate
from ..settings import Settings
from ..store.tenancy import set_scope
from .errors import web_blueprint
from .redirects import safe_next

SESSION_USER = "user"
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SESSION_ABSOLUTE = timedelta(hours=8)
SESSION_IDLE = timedelta(minutes=60)
# A request refreshes "last seen" (and so rewrites the cookie) at most this often.
_SEEN_RESOLUTION = timedelta(minutes=1)
F = TypeVar("F", bound=Callable[..., Any])

bp = web_blueprint("auth", __name__)


def web_context() -> ServiceContext:
    return cast(ServiceContext, current_app.extensions["trajectflow"])


def session_cookie_config(settings: Settings) -> dict[str, object]:
    """Flask settings of the session cookie (the language choice lives in the same cookie)."""
    return {
        "SESSION_COOKIE_NAME": "trajectflow_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.secure_cookies,
        "PERMANENT_SESSION_LIFETIME": SESSION_ABSOLUTE,
    }


def _session_user() -> str:
    """The signed-in user name of a session still within its idle and absolute limits."""
    username = session.get(SESSION_USER)
    if not username:
        raise Unauthenticated("not signed in")
    now = web_context().clock.now().timestamp()
    started, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if (
        not isinstance(started, int | float)
        or not isinstance(seen, int | float)
        or now - started > SESSION_ABSOLUTE.total_seconds()
        or now - seen > SESSION_IDLE.total_seconds()
    ):
        _end_session()
        raise Unauthenticated("the session has expired")
    if now - seen >= _SEEN_RESOLUTION.total_seconds():
        session[SEEN_AT] = now
    return str(username)


def current_web_actor() -> Actor:
    """The signed-in user; raises Unauthenticated when nobody (or an inactive account) is signed in."""
    if "web_actor" not in g:
        g.web_actor = identify(web_context(), _session_user())
        set_scope(g.web_actor.municipalities)  # every query of this request: only these municipalities
    return cast(Actor, g.web_actor)


def optional_web_actor() -> Actor | None:
    try:
        return current_web_actor()
    except Unauthenticated:
        return None


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if optional_web_actor() is None:
            session.pop(SESSION_USER, None)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def role_required(*roles: str) -> Callable[[F], F]:
    """Signed in and holding one of `roles`; otherwise a 403 page."""

    def decorate(view: F) -> F:
        @login_required
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not set(roles) & current_web_actor().roles:
                raise Forbidden("role required", {"roles": list(roles)})
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorate


def sign_in(username: str, password: str) -> Actor:
    """The one authentication seam of the pages (local accounts; OIDC has its own callback)."""
    check_sign_in_rate(web_context(), request.remote_addr)
    return authenticate(web_context(), username, password, request.remote_addr)


def _login_page(next_url: str, username: str, error: str | None) -> str:
    return render_template(
        "login.html",
        next_url=next_url,
        username=username,
        error=error,
        demo_accounts=demo_panel(),
        demo_password=DEMO_PASSWORD,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return _login_page(next_url, "", None)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    g.audit_login = {"username": username, "result": "failure", "method": "password"}  # until it works
    try:
        actor = sign_in(username, password)
    except TooManyAttempts as refused:
        minutes = max(1, -(-refused.retry_after_seconds // 60))
        error = _("Too many failed attempts. Try again in %(minutes)s minutes.", minutes=minutes)
        return _login_page(next_url, username, error), 429, {"Retry-After": str(refused.retry_after_seconds)}
    except Unauthenticated:
        return _login_page(next_url, username, _("Unknown user name or wrong password.")), 401
    start_session(actor.username)
    g.audit_login = {"username": actor.username, "result": "success", "method": "password"}
    flash(_("Signed in as %(user)s.", user=actor.username), "success")
    return redirect(safe_next(next_url))


def start_session(username: str) -> None:
    """A fresh session for a signed-in user (no fixation); the language choice is kept."""
    _end_session()
    now = web_context().clock.now().timestamp()
    session[SESSION_USER] = username
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session.permanent = False  # a browser-session cookie; its signature still expires (PERMANENT_SESSION_LIFETIME)


def _end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def demo_panel() -> list[dict[str, str | list[str] | None]]:
    """The demo accounts for the sign-in page, only while demo mode is on (their password is known)."""
    if not web_context().settings.demo_mode:
        return []
    return [
        {
            "username": account.username,
            "roles": account.roles,
            "organisation": ORGANISATIONS[account.organisation].name if account.organisation else None,
            "municipality": account.municipality,
        }
        for account in demo_accounts()
    ]


@bp.post("/logout")
def logout() -> Response:
    _end_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))
