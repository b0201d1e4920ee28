"""The one place where API and page requests become audit records (BIO logging).

After each request the response is known, so the hook records who (the identified actor, or the user
name a sign-in attempted), what (action and object from ops/audit_rules.py), the result (success,
denied, failed, error; sign-ins: success or failure), where from (IP and User-Agent) and when.

Trade-off, chosen for speed and for having one place: the record is written in its own short
transaction just after the request's own work committed, not inside it. So
- a change whose record cannot be written (the database went away in between) stays done; the hook
  logs an error naming the endpoint, never the data;
- a view of personal data whose record cannot be written is not shown: the caller gets 503 instead
  (no view without its record).
Sign-in code paths tell the hook about an attempt by setting `flask.g.audit_login = {"username",
"result": "success" | "failure", "method"}`; views may add identifiers with `note_audit(...)`.
"""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from flask import Flask, Response, current_app, g, jsonify, request, session
from flask_babel import gettext as _

from ..domain.redaction import redact
from ..services.audit import AuditEntry, write_entry
from ..services.context import ServiceContext
from .audit_rules import QUIET, action_of, fallback_action, is_skipped, object_id_of, object_type_of

log = logging.getLogger("trajectflow.audit")

LOGIN_KEY = "audit_login"
_SESSION_USER = "user"  # the key web/auth.py keeps the signed-in user name under
_READS = frozenset({"view", "list", "export"})
_CREATED_CASE = re.compile(r"/dossiers/(\d+)")


def note_audit(**details: Any) -> None:
    """Add identifiers or counts (never personal data) to this request's audit record."""
    g.setdefault("audit_details", {}).update(details)


def install_audit_trail(app: Flask) -> None:
    app.before_request(_remember_session)
    app.after_request(_record)


def _remember_session() -> None:
    """Pages: who the session claims to be (so sign-out and refused pages name someone) and pending errors."""
    if request.path.startswith(("/api/", "/static/")):
        return
    g.audit_session_user = session.get(_SESSION_USER)
    g.audit_error_flashes = _error_flashes()


def _error_flashes() -> int:
    return sum(1 for category, _message in session.get("_flashes", ()) if category == "error")


def _record(response: Response) -> Response:
    login = g.pop(LOGIN_KEY, None)
    if login is None and is_skipped(request.endpoint, request.method):
        return response
    try:
        entry = _login_entry(login, response) if login is not None else _request_entry(response)
    except Exception:  # noqa: BLE001 - describing a request must never break it
        log.exception("audit: could not describe the request", extra={"endpoint": request.endpoint})
        entry = None
    if entry is None:
        return response
    try:
        write_entry(cast(ServiceContext, current_app.extensions["trajectflow"]), entry, durable=False)
    except Exception as error:  # noqa: BLE001 - any database failure
        log.error(
            "audit record could not be written",
            extra={"endpoint": request.endpoint, "status": response.status_code, "error": type(error).__name__},
        )
        if entry.action in _READS and entry.result == "success":
            return _unavailable()
    return response


def _login_entry(login: dict[str, Any], response: Response) -> AuditEntry:
    username = str(login.get("username") or "").strip()[:100] or None
    result = "success" if login.get("result") == "success" else "failure"
    details = {**_base_details(response), "login_method": str(login.get("method") or "password")[:50]}
    return AuditEntry("login", username, "user", username, None, result, _origin_ip(), _user_agent(), details)


def _request_entry(response: Response) -> AuditEntry | None:
    endpoint = cast(str, request.endpoint)
    view_args = request.view_args or {}
    args = request.args
    action = action_of(endpoint, request.method, view_args, request.path, args.get("format"), args.get("reveal"))
    actor, identified = _actor()
    result = _result(response.status_code, identified or action in ("login", "logout"))
    if endpoint == "task_page.submit":
        action = _task_form_action(action)
    if action == QUIET:
        if result != "denied":
            return None
        action = fallback_action(request.method, view_args)
    object_type = object_type_of(endpoint, view_args)
    object_id = object_id_of(view_args, object_type)
    if result == "success" and _page_flashed_error():
        result = "failed"
    if object_id is None and result == "success" and request.method == "POST":
        object_id = _created_id(response)
    case_id = _case_id(view_args, object_type, object_id)
    details = {**_base_details(response), **g.get("audit_details", {})}
    if action == "reassign":
        details.update(_reassign_details())
    return AuditEntry(
        action,
        actor,
        object_type,
        object_id,
        case_id,
        result,
        _origin_ip(),
        _user_agent(),
        details,
    )


def _actor() -> tuple[str | None, bool]:
    """(user name, identified): the token's or session's user, else the name a page session claims."""
    for key in ("actor", "web_actor"):
        if key in g:
            return cast(str, g.get(key).username), True
    claimed = g.get("audit_session_user")
    return (str(claimed)[:100] if claimed else None), False


def _result(status: int, identified: bool) -> str:
    if status in (401, 403, 404):
        return "denied"
    if status >= 500:
        return "error"
    if status >= 400:
        return "failed"
    return "success" if identified else "denied"  # e.g. a page that sent an anonymous caller to sign in


def _page_flashed_error() -> bool:
    """Pages that catch a refusal flash an error and redirect: that is no success."""
    before = g.get("audit_error_flashes")
    return before is not None and _error_flashes() > before


def _task_form_action(action: str) -> str:
    submitted = request.form.get("_action", "complete")
    if submitted == "save":
        return "save_draft"
    if submitted.startswith(("add:", "remove:")):
        return "view"  # the form shown again with a row more or less; nothing stored
    return action


def _created_id(response: Response) -> str | None:
    if response.status_code == 201 and response.is_json:
        body = response.get_json(silent=True)
        for key in ("id", "username"):
            if isinstance(body, dict) and isinstance(body.get(key), int | str):
                return str(body[key])
    if 300 <= response.status_code < 400 and request.endpoint == "melding.create":
        match = _CREATED_CASE.search(response.headers.get("Location", ""))
        return match.group(1) if match else None
    return None


def _case_id(view_args: dict[str, Any], object_type: str | None, object_id: str | None) -> int | None:
    if "case_id" in view_args:
        return int(view_args["case_id"])
    if object_type == "case" and object_id is not None and object_id.isdecimal():
        return int(object_id)
    asked = request.args.get("case_id", "")
    return int(asked) if asked.isdecimal() and len(asked) < 19 else None


def _base_details(response: Response) -> dict[str, Any]:
    details: dict[str, Any] = {"endpoint": request.endpoint, "method": request.method, "status": response.status_code}
    if request.args:
        details["params"] = sorted(request.args.keys())  # the names only: values can hold names and BSNs
    return details


def _reassign_details() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        ids, assignee = body.get("task_ids"), body.get("assignee")
    else:
        ids, assignee = request.form.getlist("task_ids"), request.form.get("assignee")
    details: dict[str, Any] = {}
    if isinstance(ids, list):
        details["task_ids"] = [int(i) for i in ids if str(i).isdecimal()][:200]
    if isinstance(assignee, str):
        details["assignee"] = assignee[:100]
    return details


def _origin_ip() -> str | None:
    return (request.remote_addr or "")[:64] or None


def _user_agent() -> str | None:
    agent = request.headers.get("User-Agent", "")
    return redact(agent[:200]) or None


def _unavailable() -> Response:
    message = _("This cannot be shown now because the audit log cannot be written. Try again shortly.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": "audit_unavailable", "message": message, "details": None})
    else:
        response = Response(message, mimetype="text/plain")
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response
