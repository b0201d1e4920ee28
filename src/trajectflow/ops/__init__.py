"""Operations entry points: health and readiness, Prometheus metrics, structured logs with request ids.

Importing this package must not import prometheus_client: gunicorn's config module sets
PROMETHEUS_MULTIPROC_DIR first, and prometheus_client reads it once, at import.
"""

from __future__ import annotations

from flask import Flask


def register_operations(app: Flask) -> None:
    """Request ids and request logs, /healthz, /readyz and /metrics (no authentication on any)."""
    from .health import blp as health_blp
    from .logs import install_request_logging
    from .metrics import install_metrics

    install_request_logging(app)
    install_metrics(app)
    app.register_blueprint(health_blp)
