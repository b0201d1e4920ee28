"""User administration pages for functioneel beheerders (/beheer/gebruikers): list, create, change,
(de)activate, set a password, lift a lock-out, revoke API tokens. The services enforce who may do what;
accounts are made in the beheerder's own organisation (or municipality)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ..domain import accounts as rules
from ..domain.errors import Conflict, ValidationFailed
from ..domain.organisations import ORGANISATIONS
from ..domain.roles import ROLES
from ..services.accounts import (
    NewAccount,
    account_tokens,
    create_account,
    get_account,
    list_accounts,
    revoke_account_tokens,
    set_password,
    unlock_account,
    update_account,
)
from .auth import current_web_actor, role_required, web_context
from .errors import web_blueprint

bp = web_blueprint("admin", __name__, url_prefix="/beheer")
admin_required = role_required(rules.ADMIN_ROLE)

# What the services report, in the user's language (anything else is shown as it came).
MESSAGES = {
    rules.PASSWORD_EMPTY: _l("Enter a password."),
    rules.PASSWORD_TOO_SHORT: _l("Use at least %(n)s characters.", n=rules.MIN_PASSWORD_LENGTH),
    rules.PASSWORD_TOO_LONG: _l("Use at most %(n)s characters.", n=rules.MAX_PASSWORD_LENGTH),
    rules.PASSWORD_IS_USERNAME: _l("The password may not be the user name."),
    rules.USERNAME_INVALID: _l(
        "Use 2 to 100 characters: letters, digits and . _ - @, starting with a letter or digit."
    ),
    rules.USERNAME_TAKEN: _l("This user name is taken."),
    rules.ROLES_EMPTY: _l("Choose at least one role."),
    rules.OWN_ADMIN_ROLE: _l("You cannot take the beheerder role from your own account."),
    rules.OWN_DEACTIVATION: _l("You cannot deactivate your own account."),
    rules.DISPLAY_NAME_TOO_LONG: _l("Use at most 200 characters."),
    rules.EMAIL_INVALID: _l("Enter an email address like naam@example.nl."),
}


def field_errors(error: ValidationFailed | Conflict) -> dict[str, str]:
    details = error.details if isinstance(error.details, dict) else {}
    found = {
        key: " ".join(str(MESSAGES.get(message, message)) for message in messages)
        for key, messages in details.items()
        if isinstance(messages, list)
    }
    return found or {"_": error.message}


def _home() -> str:
    actor = current_web_actor()
    if actor.municipality:
        return _("municipality %(name)s", name=actor.municipality)
    organisation = ORGANISATIONS.get(actor.organisation or "")
    return organisation.name if organisation else _("no organisation")


def _form_values() -> dict[str, Any]:
    return {
        "username": request.form.get("username", "").strip(),
        "display_name": request.form.get("display_name", "").strip(),
        "email": request.form.get("email", "").strip(),
        "roles": [role for role in request.form.getlist("roles") if role],
    }


def _render_new(values: dict[str, Any], errors: dict[str, str]) -> str:
    return render_template(
        "admin/new.html",
        values=values,
        errors=errors,
        roles=ROLES,
        home=_home(),
        min_password=rules.MIN_PASSWORD_LENGTH,
    )


@bp.get("/gebruikers")
@admin_required
def users() -> str:
    search = request.args.get("q", "").strip()
    found = list_accounts(web_context(), current_web_actor(), search or None)
    return render_template("admin/users.html", accounts=found, search=search, home=_home())


@bp.get("/gebruikers/nieuw")
@admin_required
def new() -> str:
    values = {"username": "", "display_name": "", "email": "", "roles": []}
    return _render_new(values, {})


@bp.post("/gebruikers")
@admin_required
def create() -> Response | tuple[str, int]:
    values = _form_values()
    password = request.form.get("password", "")
    errors, status = {}, 422
    if password != request.form.get("password_repeat", ""):
        errors["password_repeat"] = _("The passwords do not match.")
    else:
        account = NewAccount(
            values["username"],
            values["roles"],
            values["display_name"],
            email=values["email"] or None,
            password=password or None,
        )
        try:
            create_account(web_context(), current_web_actor(), account)
        except ValidationFailed as error:
            errors = field_errors(error)
        except Conflict as error:
            errors, status = field_errors(error), 409
    if errors:
        return _render_new(values, errors), status
    flash(_("Account %(user)s created.", user=values["username"]), "success")
    return redirect(url_for("admin.user", username=values["username"]))


def _render_user(username: str, errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    ctx, actor = web_context(), current_web_actor()
    account = get_account(ctx, actor, username)
    values = {"display_name": account.display_name, "email": account.email or "", "roles": account.roles}
    if errors and request.form:
        values.update({k: v for k, v in _form_values().items() if k != "username"})
    page = render_template(
        "admin/user.html",
        account=account,
        values=values,
        errors=errors or {},
        roles=ROLES,
        tokens=account_tokens(ctx, actor, username),
        is_self=account.username == actor.username,
        now=ctx.clock.now(),
        organisations=ORGANISATIONS,
        min_password=rules.MIN_PASSWORD_LENGTH,
    )
    return page, status


@bp.get("/gebruikers/<username>")
@admin_required
def user(username: str) -> tuple[str, int]:
    return _render_user(username)


@bp.post("/gebruikers/<username>")
@admin_required
def update(username: str) -> Response | tuple[str, int]:
    values = _form_values()
    changes = {"display_name": values["display_name"], "email": values["email"] or None, "roles": values["roles"]}
    try:
        update_account(web_context(), current_web_actor(), username, changes)
    except ValidationFailed as error:
        return _render_user(username, field_errors(error), 422)
    flash(_("Account %(user)s saved.", user=username), "success")
    return redirect(url_for("admin.user", username=username))


@bp.post("/gebruikers/<username>/actief")
@admin_required
def set_active(username: str) -> Response | tuple[str, int]:
    active = request.form.get("active") == "1"
    try:
        update_account(web_context(), current_web_actor(), username, {"active": active})
    except ValidationFailed as error:
        return _render_user(username, field_errors(error), 422)
    message = _("Account %(user)s activated.", user=username) if active else None
    flash(message or _("Account %(user)s deactivated; its API tokens are revoked.", user=username), "success")
    return redirect(url_for("admin.user", username=username))


@bp.post("/gebruikers/<username>/wachtwoord")
@admin_required
def password(username: str) -> Response | tuple[str, int]:
    new_password = request.form.get("password", "")
    if new_password != request.form.get("password_repeat", ""):
        return _render_user(username, {"password_repeat": _("The passwords do not match.")}, 422)
    try:
        revoked = set_password(web_context(), current_web_actor(), username, new_password)
    except ValidationFailed as error:
        return _render_user(username, field_errors(error), 422)
    flash(_("New password set for %(user)s; %(count)s API tokens revoked.", user=username, count=revoked), "success")
    return redirect(url_for("admin.user", username=username))


@bp.post("/gebruikers/<username>/ontgrendelen")
@admin_required
def unlock(username: str) -> Response:
    unlock_account(web_context(), current_web_actor(), username)
    flash(_("Account %(user)s unlocked.", user=username), "success")
    return redirect(url_for("admin.user", username=username))


@bp.post("/gebruikers/<username>/tokens-intrekken")
@admin_required
def revoke_tokens(username: str) -> Response:
    revoked = revoke_account_tokens(web_context(), current_web_actor(), username)
    flash(_("%(count)s API tokens of %(user)s revoked.", count=revoked, user=username), "success")
    return redirect(url_for("admin.user", username=username))
