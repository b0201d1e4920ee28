"""Moving running cases from one version of a process to another (`trajectflow migrate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.cases import Actor, CaseStatus
from ..domain.errors import Conflict, EngineFailure, Forbidden, NotFound
from ..engine.instance import EngineInstance
from ..engine.migration import migrate_instance
from ..store.models import Case, ProcessVersion
from .context import ServiceContext
from .loading import executable
from .projection import record, synchronise

DESIGNER_ROLES = frozenset({"procesontwerper"})  # only process designers deploy, pin and design
# Moving cases is also a teamleider's call: they answer for the running work.
MIGRATION_ROLES = DESIGNER_ROLES | {"teamleider"}
MAPPED = "mapped"
BLOCKED = "blocked"


@dataclass(frozen=True)
class CaseMigration:
    case_id: int
    outcome: str  # mapped or blocked
    elements: list[str] = field(default_factory=list)  # where the case is (element ids of its live tasks)
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "outcome": self.outcome, "elements": self.elements, "reason": self.reason}


def require_designer(actor: Actor, roles: frozenset[str] = DESIGNER_ROLES) -> None:
    if not actor.roles & roles:
        raise Forbidden("only a process designer may do this", {"required_role": sorted(roles)})


def migrate_cases(
    ctx: ServiceContext,
    actor: Actor,
    process_id: str,
    from_version: int,
    to_version: int,
    case_ids: list[int] | None = None,
    dry_run: bool = False,
) -> list[CaseMigration]:
    """Move the running cases of `process_id` vFROM (all, or `case_ids`) to vTO where their live elements exist.

    Each case is mapped or blocked (with the reason); a real run records that in the case's history
    and commits once. A dry run computes the same outcomes and changes nothing.
    """
    require_designer(actor, MIGRATION_ROLES)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        source = _version(session, process_id, from_version)
        target = _version(session, process_id, to_version)
        query = select(Case).where(
            Case.process_version_id == source.id,
            Case.status.in_([CaseStatus.ACTIVE, CaseStatus.ERRORED, CaseStatus.SUSPENDED]),
        )
        if case_ids is not None:
            query = query.where(Case.id.in_(case_ids))
        results = []
        for case in session.scalars(query.order_by(Case.id)):
            # A fresh instance, not the step cache's: a dry run must leave nothing changed behind.
            instance = EngineInstance.load(executable(source), case.engine_state)
            elements = list(dict.fromkeys(eid for _, eid in instance.active_elements()))
            try:
                migrated = migrate_instance(instance, executable(target), ctx.clock)
            except (Conflict, EngineFailure) as err:
                results.append(CaseMigration(case.id, BLOCKED, elements, err.message))
                if not dry_run:
                    record(session, case, now, "migration_blocked",
                           f"Niet naar v{to_version} gezet: {err.message}", actor.username,
                           details={"from": from_version, "to": to_version, "reason": err.message})  # fmt: skip
                continue
            results.append(CaseMigration(case.id, MAPPED, elements))
            if not dry_run:
                case.process_version_id = target.id
                record(session, case, now, "case_migrated",
                       f"Van {source.name} v{from_version} naar v{to_version} gezet", actor.username,
                       details={"from": from_version, "to": to_version, "elements": elements})  # fmt: skip
                synchronise(session, case, target, migrated, now, actor.username)
        if case_ids is not None:
            found = {r.case_id for r in results}
            results += [CaseMigration(i, BLOCKED, [], f"not a running case on v{from_version}") for i in case_ids
                        if i not in found]  # fmt: skip
        if not dry_run:
            uow.commit()
        return results


def _version(session: Session, process_id: str, version: int) -> ProcessVersion:
    found = session.scalar(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id, ProcessVersion.version == version)
    )
    if found is None:
        raise NotFound(f"process '{process_id}' version {version} is not deployed", {"process_id": process_id})
    return found


def migration_report(
    ctx: ServiceContext,
    actor: Actor,
    process_id: str,
    from_version: int,
    to_version: int,
    case_ids: list[int] | None = None,
    dry_run: bool = True,
) -> dict[str, Any]:
    """`migrate_cases` as data for the API and the page: the outcome per case and the counts."""
    results = migrate_cases(ctx, actor, process_id, from_version, to_version, case_ids, dry_run)
    mapped = sum(1 for r in results if r.outcome == MAPPED)
    return {
        "process_id": process_id,
        "from_version": from_version,
        "to_version": to_version,
        "dry_run": dry_run,
        "mapped": mapped,
        "blocked": len(results) - mapped,
        "cases": [r.as_dict() for r in results],
    }
