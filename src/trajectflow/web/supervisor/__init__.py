"""Teamleider pages: stuck cases and their actions, workload, diagram heatmap, reports with downloads."""

from __future__ import annotations

from ..errors import web_blueprint

bp = web_blueprint("supervisor", __name__, url_prefix="/teamleider")

from . import actions, pages, reports  # noqa: E402,F401  (routes register on bp)
