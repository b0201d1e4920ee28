"""The task page: the form from its JSON Schema, claim, release, save a draft, complete."""

from __future__ import annotations

from .errors import web_blueprint

bp = web_blueprint("task_page", __name__, url_prefix="/taken")
