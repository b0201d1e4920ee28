"""Who calls the API: a bearer token (personal/issued API token, or an OpenID Connect access token).

Every /api request but the OpenAPI document, its viewer and the token endpoint itself must carry a
valid token; the caller's municipalities then scope every query of the request (store/tenancy.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import Flask, current_app, g, request

from ..domain.cases import Actor
from ..domain.errors import Unauthenticated
from ..services.context import ServiceContext
from ..services.identity import identify_token
from ..services.token_secrets import TOKEN_PREFIX
from ..store.tenancy import reset_scope, set_scope

# Paths under /api that answer without a token.
PUBLIC_PATHS = ("/api/openapi.json", "/api/docs", "/api/auth/token")

# Verifies a bearer token that is not one of ours (an OIDC access token); set by the OIDC module.
ExternalVerifier = Callable[[ServiceContext, str], Actor]
EXTERNAL_VERIFIER = "trajectflow.external_bearer"


def service_context() -> ServiceContext:
    return cast(ServiceContext, current_app.extensions["trajectflow"])


def current_actor() -> Actor:
    if "actor" not in g:
        g.actor = authenticate_request()
    return cast(Actor, g.actor)


def authenticate_request() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <token>' (POST /api/auth/token gives one)")
    ctx = service_context()
    if token.startswith(TOKEN_PREFIX):
        actor = identify_token(ctx, token)
    else:
        verifier = cast(ExternalVerifier | None, current_app.extensions.get(EXTERNAL_VERIFIER))
        if verifier is None:
            raise Unauthenticated("the bearer token is unknown, expired or revoked")
        actor = verifier(ctx, token)
    set_scope(actor.municipalities)
    return actor


def _require_token() -> None:
    path = request.path
    if not path.startswith("/api/") or path.startswith(PUBLIC_PATHS) or request.method == "OPTIONS":
        return
    current_actor()


def _start_scope() -> None:
    # Until someone is identified a request sees no cases at all.
    g.tenant_scope_token = set_scope(frozenset())


def _end_scope(_: BaseException | None) -> None:
    token = g.pop("tenant_scope_token", None)
    if token is not None:
        reset_scope(token)


def install_api_identity(app: Flask) -> None:
    app.before_request(_start_scope)
    app.before_request(_require_token)
    app.teardown_request(_end_scope)
