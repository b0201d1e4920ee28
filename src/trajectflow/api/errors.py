"""One mapping from trajectflow errors (and HTTP errors) to JSON `{"error", "message", "details"}`."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_smorest import Api
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from ..domain.errors import (
    Conflict,
    EngineFailure,
    Forbidden,
    InvalidProcess,
    NotFound,
    TooManyAttempts,
    TrajectflowError,
    Unauthenticated,
    ValidationFailed,
)
from .schemas import ApiErrorSchema

STATUS = {
    TooManyAttempts: 429,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    ValidationFailed: 422,
    InvalidProcess: 422,
    EngineFailure: 409,
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_attempts",
}

log = logging.getLogger(__name__)
# The database cannot be reached (refused, dropped, pool exhausted): nothing the caller did wrong,
# and it passes by itself. SQLAlchemy invalidates the dead pooled connections on the way.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)
DATABASE_DOWN_MESSAGE = "the database cannot be reached at the moment; try again shortly"
RETRY_AFTER_SECONDS = "5"


def error_response(status: int, code: str, message: str, details: Any = None) -> tuple[Response, int]:
    return jsonify({"error": code, "message": message, "details": details}), status


class DatabaseId(IntegerConverter):
    """`<int:…>` in URLs, bounded to the 64-bit ids the database holds: a larger number is no id (404)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


class TrajectflowApi(Api):
    # The error body the OpenAPI document promises is the one handlers below send.
    ERROR_SCHEMA = ApiErrorSchema

    def __init__(self, app: Flask) -> None:
        app.url_map.converters["int"] = DatabaseId
        app.config.setdefault("API_TITLE", "trajectflow")
        app.config.setdefault("API_VERSION", "1")
        app.config.setdefault("OPENAPI_VERSION", "3.0.3")
        app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
        app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
        app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "/docs")
        app.config.setdefault("OPENAPI_SWAGGER_UI_URL", "/static/vendor/swagger-ui-dist/")
        # Every operation needs a bearer token, except the token endpoint (it says so itself).
        app.config.setdefault("API_SPEC_OPTIONS", {"security": [{"bearerAuth": []}]})
        super().__init__(app)
        app.before_request(_refuse_nul_characters)
        app.register_error_handler(TrajectflowError, self.handle_trajectflow_error)
        app.register_error_handler(Exception, self.handle_unexpected)

    def handle_trajectflow_error(self, error: TrajectflowError) -> tuple[Response, int]:
        status = next((code for cls, code in STATUS.items() if isinstance(error, cls)), 400)
        response, status = error_response(status, error.code, error.message, error.details)
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after_seconds)
        elif status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="trajectflow"'
        return response, status

    def handle_http_exception(self, error: HTTPException) -> tuple[Response, int]:  # type: ignore[override]
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        details = None
        if "messages" in data:
            details = _flatten(data["messages"])
            message = "the request does not match the expected input"
        else:
            message = error.description or error.name
        return error_response(status, _HTTP_CODES.get(status, "error"), message, details)

    def handle_unexpected(self, error: Exception) -> tuple[Response, int]:
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        if isinstance(error, DATABASE_DOWN):
            log.warning("database unavailable: %s", type(error).__name__)
            response, status = error_response(503, "database_unavailable", DATABASE_DOWN_MESSAGE)
            response.headers["Retry-After"] = RETRY_AFTER_SECONDS
            return response, status
        log.exception("unexpected error")
        return error_response(500, "internal_error", InternalServerError.description)


def _refuse_nul_characters() -> tuple[Response, int] | None:
    """NUL cannot be stored in PostgreSQL text (nor is it in any name or code): refuse it up front."""
    if not request.path.startswith("/api"):
        return None
    in_query = any("\x00" in value for value in request.args.values())
    in_body = request.is_json and "\\u0000" in request.get_data(as_text=True)
    if in_query or in_body:
        return error_response(400, "bad_request", "the request contains a NUL character")
    return None


def _flatten(messages: Any) -> dict[str, Any]:
    """webargs groups errors by location (json, query); callers want field → messages."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "headers", "path", "view_args"}:
        merged: dict[str, Any] = {}
        for location_messages in messages.values():
            is_dict = isinstance(location_messages, dict)
            merged.update(_dotted(location_messages) if is_dict else {"_": location_messages})
        return merged
    return _dotted(messages) if isinstance(messages, dict) else {"_": messages}


def _dotted(messages: dict[Any, Any], prefix: str = "") -> dict[str, Any]:
    """Nested schema errors ({"client": {"bsn": [...]}}) keyed by field path ("client.bsn"), as services do."""
    flat: dict[str, Any] = {}
    for key, value in messages.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_dotted(value, f"{path}."))
        else:
            flat[path] = value
    return flat
