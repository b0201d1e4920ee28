"""Dutch by default, English on request: the locale lives in the session; times shown in Dutch time."""

from __future__ import annotations

from flask import Flask, redirect, request, session
from flask_babel import Babel
from werkzeug.wrappers import Response

from .errors import web_blueprint
from .redirects import safe_next

LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LOCALE = "nl"

bp = web_blueprint("i18n", __name__)


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LOCALE


def install_babel(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    Babel(app, locale_selector=select_locale)


@bp.post("/taal")
def switch_language() -> Response:
    lang = request.form.get("lang", DEFAULT_LOCALE)
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))
