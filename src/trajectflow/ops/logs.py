"""Structured JSON logs, one object per line, with the request id; never personal data.

Request logs name the Flask endpoint (`cases.CaseDetail`), never the path's query string or a body,
where names and BSNs would be. As a last line of defence `ScrubSecrets`, a filter on every handler,
masks BSNs (every nine-digit number; formatted ones passing the 11-proef), API tokens and
Authorization/password values in each record's message, arguments, extra fields and traceback,
before any formatter sees it — so also in lines of libraries (werkzeug logs request lines with
query strings) and in the plain text format.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

from ..domain.redaction import redact

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("trajectflow_request_id", default=None)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}

_PLAIN = (str, int, float, bool, type(None))

request_log = logging.getLogger("trajectflow.request")


class ScrubSecrets(logging.Filter):
    """Mask secrets and BSNs in a record in place (message, arguments, extra fields, traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_scrubbed", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: keep what was given, masked
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._scrubbed = True  # several handlers share one record
        return True


def current_request_id() -> str | None:
    return _request_id.get()


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", …extra fields, "exception"}` per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            # Only plain values: libraries attach whole payloads (SpiffWorkflow logs a task's data,
            # names and BSNs included, as `extra`), which must never reach the log.
            if key not in _STANDARD and key != "request_id" and not key.startswith("_") and isinstance(value, _PLAIN):
                entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_text:
            entry["exception"] = redact(record.exc_text)
        elif record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def _formatter(log_format: str) -> dict[str, Any]:
    if log_format == "text":
        return {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    return {"()": "trajectflow.ops.logs.JsonFormatter"}


def logging_config(level: str, log_format: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` for every process (gunicorn's `logconfig_dict` uses it too)."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "filters": ["scrub"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"scrub": {"()": "trajectflow.ops.logs.ScrubSecrets"}},
        "formatters": {"default": _formatter(log_format)},
        "handlers": {"console": handler, "error_console": handler},
        "root": {"level": level.upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": level.upper(), "handlers": ["console"], "propagate": False},
            "apscheduler": {"level": "WARNING"},
            "alembic": {"level": "WARNING"},
            "spiff": {"level": "WARNING"},  # a line per task state change, with the task's data
        },
    }


def configure_logging(level: str, log_format: str = "json") -> None:
    import logging.config

    logging.config.dictConfig(logging_config(level, log_format))
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught


def _log_uncaught(kind: type[BaseException], error: BaseException, tb: Any) -> None:
    logging.getLogger("trajectflow").critical("uncaught exception", exc_info=(kind, error, tb))


def install_request_logging(app: Flask) -> None:
    """Give every request an id (the caller's X-Request-ID if sane) and log one line when it ends."""

    @app.before_request
    def _start() -> None:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if _VALID_REQUEST_ID.match(offered) else uuid.uuid4().hex
        g.request_token = _request_id.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
            request_log.info(
                "request",
                extra={
                    "method": request.method,
                    "endpoint": request.endpoint or "unmatched",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
                },
            )
        return response

    @app.teardown_request
    def _forget(_error: BaseException | None) -> None:
        token = g.pop("request_token", None)
        if token is not None:
            _request_id.reset(token)
