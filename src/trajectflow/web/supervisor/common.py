"""Shared by the teamleider views: role check, flashing service errors, going back where the user was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...domain.errors import Conflict, Forbidden, NotFound, TrajectflowError, ValidationFailed
from ...domain.roles import SUPERVISOR_ROLES
from ..auth import role_required
from ..redirects import safe_next

supervisor_required = role_required(*SUPERVISOR_ROLES)


def back(default: str = "supervisor.stuck") -> Response:
    return redirect(safe_next(request.form.get("next") or url_for(default)))


def run_action(action: Callable[[], Any], done: str) -> Response:
    """Run a service call; flash `done` or a phrased error, and go back to the page the form was on."""
    try:
        action()
    except TrajectflowError as error:
        flash(error_text(error), "error")
    else:
        flash(done, "success")
    return back()


def error_text(error: TrajectflowError) -> str:
    if isinstance(error, Forbidden):
        return _("Only a teamleider may do this.")
    if isinstance(error, NotFound):
        return _("Not found: %(message)s", message=error.message)
    if isinstance(error, ValidationFailed):
        return _("Not done: %(message)s", message=error.message)
    if isinstance(error, Conflict):
        return _("Not possible now: %(message)s", message=error.message)
    return _("The engine reported an error: %(message)s", message=error.message)
