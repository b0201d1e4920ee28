"""Mijn werk: my tasks, my groups' unclaimed tasks, overdue and due this week; filters, saved filters, paging."""

from __future__ import annotations

from flask import render_template

from .auth import login_required
from .errors import web_blueprint

bp = web_blueprint("worklist", __name__)


@bp.get("/")
@login_required
def index() -> str:
    return render_template("worklist/index.html")
