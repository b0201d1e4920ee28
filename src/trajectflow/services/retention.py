"""Retention: closed cases are anonymised (or deleted) once the retention term has passed.

A case is due when it is completed or cancelled and closed longer ago than `TRAJECTFLOW_RETENTION_DAYS`.
`TRAJECTFLOW_RETENTION_MODE` says what happens to it (see `retention_scrub.py`):
- `anonymise` (default): every piece of personal data goes, the statistical skeleton (municipality,
  organisation, route, phase, dates, task timings, the answers KPIs count) stays, so reports and
  billing of past periods keep their numbers;
- `delete`: the case and every row that belongs to it go.
A client follows once none of their cases is open or still within the term. Audit records are never
touched. Cases are handled in batches of one transaction each, so a run over 100,000 cases neither
holds one huge transaction nor starts over after an interruption: a run is idempotent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select

from ..domain.cases import CaseStatus
from ..domain.errors import ValidationFailed
from ..store.models import Case, RetentionRun
from .audit import record_audit
from .context import ServiceContext
from .retention_scrub import ANONYMISE, DELETE, anonymise_cases, delete_cases

log = logging.getLogger(__name__)

MODES = (ANONYMISE, DELETE)
CLOSED = (CaseStatus.COMPLETED, CaseStatus.CANCELLED)
BATCH_SIZE = 500
SYSTEM_ACTOR = "scheduler"


@dataclass(frozen=True)
class RetentionCandidate:
    """A case that a run would anonymise or delete: no names, no BSNs."""

    case_id: int
    municipality: str
    closed_at: datetime
    mode: str


@dataclass
class RetentionReport:
    mode: str
    cutoff: datetime
    cases: int = 0
    clients: int = 0
    batches: int = 0
    run_id: int | None = None

    def summary(self) -> str:
        what = "anonymised" if self.mode == ANONYMISE else "deleted"
        return (
            f"retention ({self.mode}, closed before {self.cutoff:%Y-%m-%d}): "
            f"{self.cases} case(s) and {self.clients} client(s) {what}"
        )


def retention_mode(ctx: ServiceContext) -> str:
    mode = ctx.settings.retention_mode
    if mode not in MODES:
        raise ValidationFailed(
            f"unknown retention mode '{mode}'", {"TRAJECTFLOW_RETENTION_MODE": [f"one of {', '.join(MODES)}"]}
        )
    if ctx.settings.retention_days < 1:
        raise ValidationFailed("the retention term must be at least a day", {"TRAJECTFLOW_RETENTION_DAYS": [">= 1"]})
    return mode


def retention_cutoff(ctx: ServiceContext) -> datetime:
    """Cases closed before this moment are due."""
    return ctx.clock.now() - timedelta(days=ctx.settings.retention_days)


def _due(mode: str, cutoff: datetime) -> Select[int, str, datetime | None]:
    query = select(Case.id, Case.municipality, Case.closed_at).where(Case.status.in_(CLOSED), Case.closed_at < cutoff)
    if mode == ANONYMISE:
        query = query.where(Case.anonymised_at.is_(None))
    return query.order_by(Case.id)


def retention_candidates(ctx: ServiceContext, batch_size: int = BATCH_SIZE) -> Iterator[RetentionCandidate]:
    """What a run would anonymise or delete now, oldest case id first (read in pages; changes nothing)."""
    mode = retention_mode(ctx)
    cutoff = retention_cutoff(ctx)
    last_id = 0
    while True:
        with ctx.uow(write=False) as uow:
            rows = uow.session.execute(_due(mode, cutoff).where(Case.id > last_id).limit(batch_size)).all()
        for case_id, municipality, closed_at in rows:
            assert closed_at is not None  # the query asks for closed cases
            yield RetentionCandidate(case_id, municipality, closed_at, mode)
        if len(rows) < batch_size:
            return
        last_id = rows[-1][0]


def run_retention(
    ctx: ServiceContext, actor: str = SYSTEM_ACTOR, batch_size: int = BATCH_SIZE, client: str | None = None
) -> RetentionReport:
    """Anonymise or delete every due case (and clients left without a case in their term); record the run.

    The run is written to `retention_runs` and to the audit trail (counts only) as `actor` from `client`.
    """
    mode = retention_mode(ctx)
    now = ctx.clock.now()
    report = RetentionReport(mode, retention_cutoff(ctx))
    scrub = anonymise_cases if mode == ANONYMISE else delete_cases
    last_id = 0
    while True:
        with ctx.uow() as uow:
            # SKIP LOCKED (PostgreSQL): two schedulers running at once share the work instead of
            # waiting for each other; SQLite's writer lock serialises them anyway.
            query = _due(mode, report.cutoff).where(Case.id > last_id).limit(batch_size)
            case_ids = list(uow.session.scalars(query.with_only_columns(Case.id).with_for_update(skip_locked=True)))
            if not case_ids:
                break
            report.clients += scrub(uow.session, case_ids, report.cutoff, now)
            report.cases += len(case_ids)
            report.batches += 1
            uow.commit()
        last_id = case_ids[-1]
    _record_run(ctx, report, now, actor, client)
    log.info(
        "retention run", extra={"mode": mode, "cases": report.cases, "clients": report.clients, "action": "retention"}
    )
    return report


def _record_run(ctx: ServiceContext, report: RetentionReport, now: datetime, actor: str, client: str | None) -> None:
    details = {"clients": report.clients, "cutoff": report.cutoff.isoformat(), "batches": report.batches}
    with ctx.uow() as uow:
        run = RetentionRun(ran_at=now, mode=report.mode, cases=report.cases, details=json.dumps(details))
        uow.session.add(run)
        uow.session.flush()
        report.run_id = run.id
        uow.commit()
    record_audit(
        ctx,
        action="retention",
        actor=actor,
        object_type="retention_run",
        object_id=report.run_id,
        client=client,
        details={"mode": report.mode, "cases": report.cases, **details},
    )
