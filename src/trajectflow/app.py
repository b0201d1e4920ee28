"""The application factory: wires settings, database, services, API and pages once."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .domain.clock import Clock
from .services.context import ServiceContext
from .settings import Settings
from .web.auth import session_cookie_config


def create_app(settings: Settings | None = None, clock: Clock | None = None, **overrides: Any) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder="web/static", static_url_path="/static", template_folder="web/templates")
    app.config.update(SECRET_KEY=settings.secret_key, JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=5 * 1024 * 1024)
    app.config.update(session_cookie_config(settings))  # HttpOnly, SameSite=Lax, Secure over HTTPS, 8 h
    app.config.update(overrides)
    app.extensions["trajectflow"] = ServiceContext.create(settings, clock)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from .ops import register_operations

    register_operations(app)  # first: request ids and metrics cover every request, refused ones too

    from .api import register_api

    register_api(app)

    from .web import register_web

    register_web(app)  # after the API: page errors become HTML, /api keeps its JSON errors

    from .web.oidc import install_oidc

    install_oidc(app)  # OpenID Connect providers (TRAJECTFLOW_OIDC_PROVIDERS_FILE); a bad file stops the start

    from .ops.audit_hook import install_audit_trail

    install_audit_trail(app)  # one audit record per API and page request (BIO logging)

    if settings.proxy_hops:  # the client's address (rate limit, audit origin) as the trusted proxies saw it
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app
