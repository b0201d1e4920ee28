"""The full BSN of a case's client, shown on request only: lists and the dossier show it masked.

Revealing it is a view of personal data of its own (the API's `?reveal=bsn`, the dossier's "Toon BSN"):
the audit trail records it as `view_bsn` with the actor and the case (ops/audit_rules.py), never the number.
"""

from __future__ import annotations

from ..domain.cases import Actor
from ..domain.errors import NotFound
from ..store.models import Client
from .context import ServiceContext
from .loading import get_case


def reveal_bsn(ctx: ServiceContext, actor: Actor, case_id: int) -> str:
    """The full BSN of the client of a case the actor may see (tenancy: otherwise 404)."""
    with ctx.uow(write=False) as uow:
        case = get_case(uow.session, case_id)
        client = uow.session.get(Client, case.client_id)
        if client is None:
            raise NotFound(f"case {case_id} not found", {"case_id": case_id})
        bsn = client.bsn
    return bsn
