"""Probes for orchestrators: /healthz (the process answers) and /readyz (it can do useful work)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, jsonify

from ..services.context import ServiceContext
from ..services.ops_queries import check_readiness

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@blp.get("/readyz")
def readyz() -> tuple[Response, int]:
    ctx: ServiceContext = current_app.extensions["trajectflow"]
    max_age = ctx.settings.ready_heartbeat_seconds
    readiness = check_readiness(ctx, timedelta(seconds=max_age) if max_age > 0 else None)
    body = {"status": "ready" if readiness.ready else "not ready", "checks": readiness.checks}
    return jsonify(body), 200 if readiness.ready else 503
