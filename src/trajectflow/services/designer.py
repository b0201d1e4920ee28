"""What the web modeler needs: a version's files, the forms and roles to choose from, its decision tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..domain.errors import NotFound
from ..domain.roles import ROLES
from ..engine.decision_table import decision_tables
from ..store.models import ProcessVersion
from .context import ServiceContext
from .forms import load_forms


def version_sources(ctx: ServiceContext, process_id: str, version: int) -> dict[str, Any]:
    """The files of one deployed version and which of them defines the process itself (`main`)."""
    with ctx.uow(write=False) as uow:
        found = uow.session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_id == process_id, ProcessVersion.version == version)
        )
        if found is None:
            raise NotFound(f"process '{process_id}' version {version} is not deployed", {"process_id": process_id})
        sources = dict(found.sources)
        name = found.name
    main = next((f for f, xml in sorted(sources.items()) if f'id="{process_id}"' in xml and not f.endswith(".dmn")), "")
    return {"process_id": process_id, "version": version, "name": name, "main": main, "files": sources}


def designer_choices(ctx: ServiceContext) -> dict[str, Any]:
    """The forms on the server (valid ones) and the roles, for the modeler's properties panel."""
    forms = load_forms(ctx.settings.forms_dir)
    return {
        "forms": sorted(name for name, schema in forms.items() if isinstance(schema, dict)),
        "roles": [{"id": role, "label": label} for role, label in ROLES.items()],
    }


def version_decision_tables(ctx: ServiceContext, process_id: str, version: int) -> dict[str, Any]:
    """The decision tables of every DMN file a version carries."""
    found = version_sources(ctx, process_id, version)
    tables = [
        t for name, xml in sorted(found["files"].items()) if name.endswith(".dmn") for t in decision_tables(xml, name)
    ]
    return {"process_id": process_id, "version": version, "name": found["name"], "tables": tables}
