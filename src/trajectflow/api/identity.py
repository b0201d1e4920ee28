"""The identity seam of the API: today the X-Trajectflow-User header, later real authentication."""

from __future__ import annotations

from flask import current_app, g, request

from ..domain.cases import Actor
from ..services.context import ServiceContext
from ..services.identity import identify

USER_HEADER = "X-Trajectflow-User"


def service_context() -> ServiceContext:
    return current_app.extensions["trajectflow"]


def current_actor() -> Actor:
    if "actor" not in g:
        g.actor = identify(service_context(), request.headers.get(USER_HEADER))
    return g.actor
