"""The case dossier: client, phase, ladder history, timeline, tasks, notes and the process diagram."""

from __future__ import annotations

from .errors import web_blueprint

bp = web_blueprint("dossier", __name__, url_prefix="/dossiers")
