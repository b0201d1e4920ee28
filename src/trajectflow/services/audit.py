"""The BIO audit trail: append-only, hash-chained records of who did what to which object, when and from where.

Each record carries `seq` (previous + 1, no gaps) and `digest = sha256(prev_digest + canonical JSON of
its fields)`, the first record chaining to 64 zeros. Appends are serialised so the chain never forks:
on PostgreSQL by a transaction-scoped advisory lock taken before the last record is read, on SQLite
by the write transaction itself (BEGIN IMMEDIATE, see store/db.py).

Web and API requests are recorded in one place (ops/audit_hook.py). Commands and jobs call
`record_audit` themselves, with `cli_actor()` as the actor, e.g.

    record_audit(ctx, actor=cli_actor(), action="retention", object_type="case", details={"cases": 12})

`details` holds identifiers and counts only: secret-looking keys (password, token, bsn, …) are
dropped and strings are passed through `domain.redaction.redact`.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, text

from ..domain.redaction import is_secret_key, redact
from ..store.models import Notification, Task
from ..store.registry_models import EmployerPlan
from ..store.security_models import AuditRecord
from .context import ServiceContext

GENESIS_DIGEST = "0" * 64
# pg_advisory_xact_lock key of the audit trail ("tfau"); any constant no other code uses.
ADVISORY_LOCK_KEY = 0x74666175
RESULTS = ("success", "failure", "denied", "failed", "error")
TABLE = cast(Table, AuditRecord.__table__)
_CASE_OWNERS = {"task": Task.__table__, "notification": Notification.__table__, "employer_plan": EmployerPlan.__table__}

_LIMITS = {"actor": 100, "action": 50, "object_type": 50, "object_id": 100, "origin_ip": 64, "client": 200}
_DETAIL_DEPTH = 3


@dataclass(frozen=True)
class AuditEntry:
    """What happened, before it gets its place (seq, time, digests) in the trail."""

    action: str
    actor: str | None = None
    object_type: str | None = None
    object_id: str | int | None = None
    case_id: int | None = None
    result: str = "success"
    origin_ip: str | None = None
    client: str | None = None
    details: dict[str, Any] | None = field(default=None)

    def fields(self, seq: int, at: datetime) -> dict[str, Any]:
        """The chained fields, trimmed to their columns and scrubbed of secrets."""
        values: dict[str, Any] = {
            "seq": seq,
            "at": at.astimezone(UTC),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": None if self.object_id is None else str(self.object_id),
            "case_id": self.case_id,
            "result": self.result if self.result in RESULTS else "error",
            "origin_ip": self.origin_ip,
            "client": self.client,
            "details": clean_details(self.details) if self.details else None,
        }
        for key, limit in _LIMITS.items():
            if isinstance(values[key], str):
                values[key] = values[key][:limit]
        return values


def canonical_json(values: dict[str, Any]) -> str:
    """The record's fields as the digest sees them: sorted keys, no spaces, time in ISO 8601 UTC."""
    plain = dict(values)
    at = plain.get("at")
    if isinstance(at, datetime):
        plain["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_digest(prev_digest: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((prev_digest + canonical_json(values)).encode("utf-8")).hexdigest()


CHAINED_FIELDS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "result",
    "origin_ip",
    "client",
    "details",
)


def clean_details(details: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Identifiers and counts only: no secret-looking keys, strings redacted, nesting bounded."""
    cleaned: dict[str, Any] = {}
    for key, value in details.items():
        if is_secret_key(str(key)):
            continue
        cleaned[str(key)] = _clean_value(value, depth)
    return cleaned


def _clean_value(value: Any, depth: int) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return repr(value)  # floats do not round-trip through every JSON column alike
    if isinstance(value, str):
        return redact(value[:500])
    if depth >= _DETAIL_DEPTH:
        return None
    if isinstance(value, dict):
        return clean_details(value, depth + 1)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return [_clean_value(item, depth + 1) for item in items[:100]]
    return redact(str(value)[:500])


def append_audit(connection: Connection, entry: AuditEntry, at: datetime, *, durable: bool = True) -> int:
    """Append `entry` within the caller's (write) transaction on `connection`; returns its seq.

    On SQLite the transaction must be a write transaction (`ctx.uow()`), so no other writer can read
    the same last record. On PostgreSQL the advisory lock is held until the caller commits: keep the
    transaction short. `durable=False` lets PostgreSQL confirm the commit before its WAL reaches the
    disk (synchronous_commit off for this transaction only; see write_entry).
    """
    if connection.dialect.name == "postgresql":
        lock = "SELECT pg_advisory_xact_lock(:key)"
        if not durable:
            lock += ", set_config('synchronous_commit', 'off', true)"
        connection.execute(text(lock), {"key": ADVISORY_LOCK_KEY})
    last = connection.execute(select(TABLE.c.seq, TABLE.c.digest).order_by(TABLE.c.seq.desc()).limit(1)).first()
    seq = last.seq + 1 if last is not None else 1
    prev_digest = last.digest if last is not None else GENESIS_DIGEST
    values = entry.fields(seq, at)
    connection.execute(
        insert(TABLE).values(**values, prev_digest=prev_digest, digest=chain_digest(prev_digest, values))
    )
    return seq


def record_audit(
    ctx: ServiceContext,
    *,
    action: str,
    actor: str | None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    case_id: int | None = None,
    result: str = "success",
    origin_ip: str | None = None,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Write one audit record in its own short transaction; returns its seq."""
    entry = AuditEntry(action, actor, object_type, object_id, case_id, result, origin_ip, client, details)
    return write_entry(ctx, entry)


def write_entry(ctx: ServiceContext, entry: AuditEntry, *, durable: bool = True) -> int:
    """Append `entry` in one short write transaction, first finding the case its object belongs to.

    The request hook writes with `durable=False`: on PostgreSQL that spares a disk flush per request
    (most of an audit write's cost), at the price that a crash of the database server itself can lose
    the records of its last fraction of a second (wal_writer_delay, 200 ms by default, up to three
    times that). Records are never reordered or half-written by it, and the chain stays verifiable.
    """
    engine = ctx.uow.engine
    with engine.connect() as connection:
        connection.execution_options(sqlite_write=True)  # SQLite: BEGIN IMMEDIATE (store/db.py)
        with connection.begin():
            if entry.case_id is None:
                entry = replace(entry, case_id=case_of_object(connection, entry.object_type, entry.object_id))
            return append_audit(connection, entry, ctx.clock.now(), durable=durable)


def case_of_object(connection: Connection, object_type: str | None, object_id: str | int | None) -> int | None:
    """The case a task, notification or employer plan belongs to (read without tenancy: this is the system)."""
    table = _CASE_OWNERS.get(object_type or "")
    if table is None or object_id is None or not str(object_id).isdecimal() or len(str(object_id)) > 18:
        return None
    return connection.execute(select(table.c.case_id).where(table.c.id == int(object_id))).scalar()


def cli_actor() -> str:
    """`cli:<operating system user>`: the actor of commands run on the server."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        user = "unknown"
    return f"cli:{user}"[:100]


def record_cli_audit(
    ctx: ServiceContext,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    *,
    result: str = "success",
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """An audit record for a command run on the server (`trajectflow retention run`, `users create` …)."""
    return record_audit(
        ctx,
        action=action,
        actor=cli_actor(),
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        result=result,
        client="trajectflow-cli",
        details=details,
    )
