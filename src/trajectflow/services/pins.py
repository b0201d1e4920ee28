"""Pinned process versions: a municipality can keep starting new cases on a chosen version.

Without a pin a new case starts on the latest deployed version; a pin holds one municipality back
(or on an older version) until it is removed. Running cases are not touched (that is migration).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.cases import Actor
from ..domain.errors import Forbidden, NotFound, ValidationFailed
from ..domain.municipalities import normalise_municipality
from ..store.models import ProcessPin, ProcessVersion
from ..store.tenancy import in_scope
from .context import ServiceContext
from .migration import require_designer


def pinned_version(session: Session, process_id: str, municipality: str) -> int | None:
    """The version new cases of `process_id` in `municipality` start on, when one is pinned."""
    pin = session.get(ProcessPin, (process_id, municipality))
    return pin.version if pin is not None else None


def pin_version(ctx: ServiceContext, actor: Actor, process_id: str, municipality: str, version: int) -> dict[str, Any]:
    """Pin (or re-pin) `process_id` to `version` for new cases in `municipality` (process designers only)."""
    require_designer(actor)
    code = _municipality(municipality)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        exists = session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.process_id == process_id, ProcessVersion.version == version)
        )
        if exists is None:
            raise NotFound(f"process '{process_id}' version {version} is not deployed", {"process_id": process_id})
        pin = session.get(ProcessPin, (process_id, code))
        if pin is None:
            pin = ProcessPin(process_id=process_id, municipality=code)
            session.add(pin)
        pin.version, pin.pinned_at, pin.pinned_by = version, now, actor.username
        uow.commit()
        return _as_dict(pin)


def unpin_version(ctx: ServiceContext, actor: Actor, process_id: str, municipality: str) -> None:
    """Remove the pin: new cases in `municipality` start on the latest version again."""
    require_designer(actor)
    code = _municipality(municipality)
    with ctx.uow() as uow:
        pin = uow.session.get(ProcessPin, (process_id, code))
        if pin is None:
            raise NotFound(f"no pinned version of '{process_id}' in {code}", {"process_id": process_id})
        uow.session.delete(pin)
        uow.commit()


def list_pins(ctx: ServiceContext, process_id: str) -> list[dict[str, Any]]:
    with ctx.uow(write=False) as uow:
        pins = uow.session.scalars(
            select(ProcessPin).where(ProcessPin.process_id == process_id).order_by(ProcessPin.municipality)
        )
        return [_as_dict(pin) for pin in pins]


def _municipality(name: str) -> str:
    """The municipality's code; a designer pins only for municipalities their organisation serves."""
    code = normalise_municipality(name)
    if code is None:
        raise ValidationFailed("unknown municipality", {"municipality": [f"'{name}' is not a known municipality"]})
    if not in_scope(code):
        raise Forbidden("your organisation does not serve this municipality", {"municipality": code})
    return code


def _as_dict(pin: ProcessPin) -> dict[str, Any]:
    return {
        "process_id": pin.process_id,
        "municipality": pin.municipality,
        "version": pin.version,
        "pinned_at": pin.pinned_at,
        "pinned_by": pin.pinned_by,
    }
