"""My account (/account): who I am, and my personal API tokens: list, make one (its secret is shown once,
on the answer to the form, never stored in the session or the database), revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..domain.errors import ValidationFailed
from ..services.tokens import MAX_TOKEN_DAYS, IssuedToken, issue_token, list_tokens, revoke_token
from .auth import current_web_actor, login_required, web_context
from .errors import web_blueprint

bp = web_blueprint("account", __name__, url_prefix="/account")


def _page(issued: IssuedToken | None = None, errors: dict[str, str] | None = None, values: Any = None) -> str:
    ctx = web_context()
    return render_template(
        "account/index.html",
        tokens=list_tokens(ctx, current_web_actor()),
        issued=issued,
        errors=errors or {},
        values=values or {},
        max_days=MAX_TOKEN_DAYS,
        now=ctx.clock.now(),
    )


@bp.get("")
@login_required
def index() -> str:
    return _page()


@bp.post("/tokens")
@login_required
def create() -> str | tuple[str, int]:
    values = {"name": request.form.get("name", "").strip(), "expires_in_days": request.form.get("expires_in_days", "")}
    try:
        days = int(values["expires_in_days"] or 90)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_TOKEN_DAYS:
        message = _("Choose between 1 and %(max)s days.", max=MAX_TOKEN_DAYS)
        return _page(errors={"expires_in_days": message}, values=values), 422
    try:
        issued = issue_token(web_context(), current_web_actor().username, values["name"], timedelta(days=days))
    except ValidationFailed:
        return _page(errors={"name": _("Give the token a name of 1 to 100 characters.")}, values=values), 422
    return _page(issued=issued)


@bp.post("/tokens/<int:token_id>/intrekken")
@login_required
def revoke(token_id: int) -> Response:
    info = revoke_token(web_context(), current_web_actor(), token_id)
    flash(_("Token %(name)s revoked.", name=info.name), "success")
    return redirect(url_for("account.index"))
