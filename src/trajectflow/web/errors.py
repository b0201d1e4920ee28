"""Errors on pages become HTML pages (the API keeps its JSON); not signed in means: go and sign in."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..api.errors import DATABASE_DOWN
from ..domain.errors import Conflict, Forbidden, NotFound, TrajectflowError, Unauthenticated, ValidationFailed

log = logging.getLogger(__name__)


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be processed"),
        403: _("You may not do this"),
        404: _("Not found"),
        409: _("This has changed in the meantime"),
        422: _("The data is not valid"),
        500: _("Something went wrong"),
        503: _("Temporarily unavailable"),
    }


def error_page(status: int, message: str | None = None) -> tuple[str, int]:
    title = _titles().get(status, _titles()[500])
    return render_template("error.html", status=status, title=title, message=message), status


def _on_trajectflow_error(error: TrajectflowError) -> Response | tuple[str, int]:
    if isinstance(error, Unauthenticated):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    status = {NotFound: 404, Forbidden: 403, Conflict: 409, ValidationFailed: 422}.get(type(error), 409)
    return error_page(status, error.message)


def _on_http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    message = _("The form has expired; please try again.") if error.description == "csrf" else None
    return error_page(status, message)


def _on_unexpected(error: Exception) -> tuple[str, int]:
    if isinstance(error, HTTPException):
        return _on_http_error(error)
    if isinstance(error, DATABASE_DOWN):
        log.warning("database unavailable on a page: %s", type(error).__name__)
        return error_page(503, _("The database cannot be reached at the moment. Please try again in a minute."))
    log.exception("unexpected error on a page")
    return error_page(500)


def web_blueprint(name: str, import_name: str, **options: object) -> Blueprint:
    """A blueprint whose errors are rendered as pages; use it for every area of pages."""
    blueprint = Blueprint(name, import_name, **options)  # type: ignore[arg-type]
    blueprint.register_error_handler(TrajectflowError, _on_trajectflow_error)
    blueprint.register_error_handler(HTTPException, _on_http_error)
    blueprint.register_error_handler(Exception, _on_unexpected)
    return blueprint


def install_app_error_pages(app: Flask) -> None:
    """Errors raised before a blueprint is known (CSRF check, unknown page paths) outside /api."""

    handlers = app.error_handler_spec.get(None, {}).get(None, {})
    api_handler = handlers.get(HTTPException) or handlers.get(Exception)

    def on_http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api") and api_handler is not None:
            return api_handler(error)
        return _on_http_error(error)

    app.register_error_handler(HTTPException, on_http_error)
