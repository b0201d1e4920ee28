"""Registering a new case (melding) from a form, with the BSN checked by the 11-proef."""

from __future__ import annotations

from flask import render_template

from .auth import login_required
from .errors import web_blueprint

bp = web_blueprint("melding", __name__, url_prefix="/meldingen")


@bp.get("/nieuw")
@login_required
def new() -> str:
    return render_template("melding/new.html")
