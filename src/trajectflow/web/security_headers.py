"""Security headers on every response, pages and API alike.

HTML gets a Content-Security-Policy that allows only our own files: scripts and `<style>` elements
from /static or carrying this response's nonce (`csp_nonce()` in templates; htmx gets it for its
indicator style), no inline event handlers, no plug-ins, no framing, forms posting only to us.
`style` attributes stay allowed (`style-src-attr`): templates and bpmn-js set them, and an attribute
cannot run script nor load anything outside `img-src`. JSON and other responses get a policy that
allows nothing at all. Every response but the static files is `no-store`: pages and API answers
carry personal data that has no business in a browser or proxy cache.

A sign-in with an OpenID provider may post a form to the provider: its origin is added to
`app.extensions[FORM_ACTION_SOURCES]` (a list) by the module that knows the providers.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

FORM_ACTION_SOURCES = "trajectflow.csp_form_action"
HSTS = "max-age=31536000"
NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)"


def csp_nonce() -> str:
    """This response's nonce for an inline `<script>` or `<style>` (a fresh one per request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def page_policy(nonce: str, form_action: list[str] | tuple[str, ...] = ()) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "style-src-attr": "'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": " ".join(["'self'", *form_action]),
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _is_static() -> bool:
    return request.endpoint == "static" or request.path.startswith("/static/")


def _add_headers(response: Response) -> Response:
    headers = response.headers
    if response.mimetype == "text/html":
        extra = current_app.extensions.get(FORM_ACTION_SOURCES, [])
        headers["Content-Security-Policy"] = page_policy(csp_nonce(), tuple(extra))
    else:
        headers["Content-Security-Policy"] = NON_HTML_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if current_app.config.get("SESSION_COOKIE_SECURE") or request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if not _is_static():
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def install_security_headers(app: Flask) -> None:
    app.after_request(_add_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
