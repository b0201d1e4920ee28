"""Sign-in for the pages. One seam: `sign_in` checks a local account today; OIDC replaces it later.

The session holds only the user name; every request resolves it through `services.identity`, so a
deactivated account loses access at once and roles are always current.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..domain.cases import Actor
from ..domain.errors import Forbidden, TooManyAttempts, Unauthenticated
from ..services.context import ServiceContext
from ..services.identity import identify
from ..services.login_rate import check_sign_in_rate
from ..services.users import authenticate
from ..store.tenancy import set_scope
from .errors import web_blueprint
from .redirects import safe_next

SESSION_USER = "user"
F = TypeVar("F", bound=Callable[..., Any])

bp = web_blueprint("auth", __name__)


def web_context() -> ServiceContext:
    return cast(ServiceContext, current_app.extensions["trajectflow"])


def current_web_actor() -> Actor:
    """The signed-in user; raises Unauthenticated when nobody (or an inactive account) is signed in."""
    if "web_actor" not in g:
        username = session.get(SESSION_USER)
        if not username:
            raise Unauthenticated("not signed in")
        g.web_actor = identify(web_context(), username)
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


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return render_template("login.html", next_url=next_url, username="", error=None)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        actor = sign_in(username, password)
    except TooManyAttempts as refused:
        minutes = max(1, -(-refused.retry_after_seconds // 60))
        error = _("Too many failed attempts. Try again in %(minutes)s minutes.", minutes=minutes)
        page = render_template("login.html", next_url=next_url, username=username, error=error)
        return page, 429, {"Retry-After": str(refused.retry_after_seconds)}
    except Unauthenticated:
        error = _("Unknown user name or wrong password.")
        return render_template("login.html", next_url=next_url, username=username, error=error), 401
    lang = session.get("lang")
    session.clear()  # a fresh session on sign-in: no fixation
    session[SESSION_USER] = actor.username
    if lang:
        session["lang"] = lang
    session.permanent = False
    flash(_("Signed in as %(user)s.", user=actor.username), "success")
    return redirect(safe_next(next_url))


@bp.post("/logout")
def logout() -> Response:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))
