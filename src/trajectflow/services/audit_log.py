"""Reading the audit trail: a case's records for its supervisors, and exports for operators."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..domain.cases import Actor
from ..domain.errors import Forbidden
from ..domain.roles import SUPERVISOR_ROLES
from .audit import CHAINED_FIELDS, TABLE
from .context import ServiceContext
from .loading import get_case

# What supervisors see of a case's records (no digests: those are for `audit verify`).
CASE_COLUMNS = ("seq", "at", "actor", "action", "object_type", "object_id", "result", "origin_ip", "client")
EXPORT_COLUMNS = (*CHAINED_FIELDS, "prev_digest", "digest")
_BATCH = 2000


def case_audit_log(ctx: ServiceContext, actor: Actor, case_id: int, limit: int | None = None) -> list[dict[str, Any]]:
    """The audit records of a case, oldest first (the newest `limit` when given). Teamleiders only.

    The case is loaded first, so a case outside the caller's municipalities is NotFound like
    everywhere else.
    """
    if not actor.roles & SUPERVISOR_ROLES:
        raise Forbidden("only a teamleider may read a case's audit log", {"roles": sorted(SUPERVISOR_ROLES)})
    with ctx.uow(write=False) as uow:
        get_case(uow.session, case_id)
        columns = [TABLE.c[name] for name in CASE_COLUMNS]
        query = select(*columns).where(TABLE.c.case_id == case_id).order_by(TABLE.c.seq.desc())
        if limit is not None:
            query = query.limit(limit)
        rows = uow.session.connection().execute(query).all()
    return [dict(row._mapping) for row in reversed(rows)]


def case_audit_csv(records: Iterable[dict[str, Any]], headers: list[str]) -> str:
    from .report_export import to_csv

    rows = [[_plain(record[name]) for name in CASE_COLUMNS] for record in records]
    return to_csv(headers, rows)


def audit_records(ctx: ServiceContext, case_id: int | None = None, since: datetime | None = None) -> Iterator[dict]:  # type: ignore[type-arg]
    """Every record (of one case, from a moment on) in seq order, read in batches."""
    after = 0
    with ctx.uow.engine.connect() as connection:
        while True:
            query = select(*(TABLE.c[name] for name in EXPORT_COLUMNS)).where(TABLE.c.seq > after)
            if case_id is not None:
                query = query.where(TABLE.c.case_id == case_id)
            if since is not None:
                query = query.where(TABLE.c.at >= since)
            batch = connection.execute(query.order_by(TABLE.c.seq).limit(_BATCH)).all()
            for row in batch:
                yield dict(row._mapping)
            if len(batch) < _BATCH:
                return
            after = batch[-1].seq


def write_csv(records: Iterable[dict[str, Any]], out: io.TextIOBase | Any) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for record in records:
        writer.writerow([_csv_cell(_plain(record[name])) for name in EXPORT_COLUMNS])
        count += 1
    return count


def write_json(records: Iterable[dict[str, Any]], out: io.TextIOBase | Any) -> int:
    """A JSON array, one record per line (streams; valid JSON as a whole)."""
    count = 0
    out.write("[")
    for record in records:
        out.write(("\n" if count == 0 else ",\n") + json.dumps(_jsonable(record), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in record.items()}


def _csv_cell(value: Any) -> Any:
    # Actor names of failed sign-ins and user agents come from outside: no spreadsheet formulas.
    if isinstance(value, str) and len(value) > 1 and value[0] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else value
