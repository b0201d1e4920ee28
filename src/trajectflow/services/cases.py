"""Starting cases (a melding) and registering clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.bsn import is_valid_bsn, normalise_bsn
from ..domain.cases import Actor, CaseStatus, age_on
from ..domain.errors import EngineFailure, Forbidden, NotFound, ValidationFailed
from ..domain.municipalities import normalise_municipality
from ..domain.organisations import handling_organisation
from ..domain.roles import CASEWORK_ROLES
from ..engine.instance import EngineInstance
from ..store.models import Case, Client, ProcessVersion
from ..store.tenancy import ALL_TENANTS, in_scope
from .context import ServiceContext
from .deadline_policy import deadline_policy
from .loading import executable, keep_instance
from .pins import pinned_version
from .projection import CaseRows, record, synchronise


@dataclass(frozen=True)
class ClientInput:
    bsn: str
    name: str
    birth_date: date


def start_case(
    ctx: ServiceContext,
    actor: Actor,
    process_id: str,
    municipality: str,
    client: ClientInput | None = None,
    client_id: int | None = None,
    data: dict[str, Any] | None = None,
    version: int | None = None,
    channel: str = "loket",
) -> int:
    """Register the melding: find or create the client and start the process.

    On `version`, else the version pinned for the municipality, else the latest. Caseworkers only, and
    only for a municipality their organisation serves.
    """
    if not actor.roles & CASEWORK_ROLES:
        raise Forbidden("only caseworkers register a melding", {"required_role": sorted(CASEWORK_ROLES)})
    municipality_code = normalise_municipality(municipality)
    if municipality_code is None:
        raise ValidationFailed(
            "unknown municipality", {"municipality": [f"'{municipality}' is not a known municipality"]}
        )
    if not in_scope(municipality_code):
        raise Forbidden(
            "your organisation does not serve this municipality",
            {"municipality": [f"you may not register cases for '{municipality_code}'"]},
        )
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        if version is None:  # a municipality may keep new cases on a pinned version
            version = pinned_version(session, process_id, municipality_code)
        process_version = _version(session, process_id, version)
        client_row = _client(session, client, client_id, municipality_code, now)
        start_data = {
            "client_id": client_row.id,
            "client_name": client_row.name,
            "client_age": age_on(client_row.birth_date, now.date()),
            "under_27": age_on(client_row.birth_date, now.date()) < 27,
            "municipality": municipality_code,
            "melding_date": now.date().isoformat(),
            "melding_channel": channel,
            # The municipality's policy deadlines, for timer expressions (termijnen["plan_evaluatie"]).
            "termijnen": deadline_policy(ctx.settings, municipality_code),
            **(data or {}),
        }
        case = Case(
            client_id=client_row.id,
            municipality=municipality_code,
            process_version_id=process_version.id,
            status=CaseStatus.ACTIVE,
            phase="melding",
            engine_state=b"",
            data={},
            started_at=now,
            updated_at=now,
            started_by=actor.username,
            organisation=handling_organisation(municipality_code),
        )
        session.add(case)
        session.flush()
        record(
            session,
            case,
            now,
            "case_started",
            f"Melding geregistreerd ({process_version.name} v{process_version.version})",
            actor.username,
        )
        try:
            instance = EngineInstance.start(executable(process_version), start_data, ctx.clock)
        except EngineFailure as failure:
            raise ValidationFailed(f"the process cannot start: {failure.message}", failure.details) from None
        # A new case has no task or timer rows yet; the commit writes everything.
        synchronise(session, case, process_version, instance, now, actor.username, rows=CaseRows(), flush=False)
        uow.commit()
        keep_instance(case, process_version, instance)
        return case.id


def _version(session: Session, process_id: str, version: int | None) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
    if version is not None:
        query = query.where(ProcessVersion.version == version)
    found = session.scalar(query.order_by(ProcessVersion.version.desc()).limit(1))
    if found is None:
        what = f"process '{process_id}'" + (f" version {version}" if version is not None else "")
        raise NotFound(f"{what} is not deployed", {"process_id": process_id})
    return found


def _client(session: Session, client: ClientInput | None, client_id: int | None, municipality: str, now: Any) -> Client:
    if client_id is not None:
        found = session.get(Client, client_id)
        if found is None:
            raise NotFound(f"client {client_id} not found", {"client_id": client_id})
        return found
    if client is None:
        raise ValidationFailed("give a client or a client_id", {"client": ["required"]})
    bsn = normalise_bsn(client.bsn)
    if not is_valid_bsn(bsn):
        raise ValidationFailed("invalid BSN", {"client.bsn": ["not a valid BSN (11-proef)"]})
    if client.birth_date > now.date():
        raise ValidationFailed("birth date in the future", {"client.birth_date": ["lies in the future"]})
    # The BSN is unique across tenants: a resident who moved keeps one record, now in the new municipality
    # (staff of the old one still see it through their own cases).
    existing = session.scalar(select(Client).where(Client.bsn == bsn), execution_options={ALL_TENANTS: True})
    if existing is not None:
        existing.municipality = municipality
        return existing
    row = Client(
        bsn=bsn, name=client.name.strip(), birth_date=client.birth_date, municipality=municipality, created_at=now
    )
    session.add(row)
    session.flush()
    return row
