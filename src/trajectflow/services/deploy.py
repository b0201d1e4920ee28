"""Deploy process files: a new version per process only when its content changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..domain.cases import Actor
from ..domain.errors import InvalidProcess, ProcessProblem
from ..engine.library import ProcessLibrary, read_library, require_valid
from ..store.models import Deployment, ProcessVersion
from .context import ServiceContext
from .forms import load_forms
from .migration import require_designer

PROCESS_SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn")


@dataclass(frozen=True)
class DeployedVersion:
    process_id: str
    version: int
    created: bool


def read_directory(directory: Path) -> dict[str, bytes]:
    if not directory.is_dir():
        raise InvalidProcess([ProcessProblem(str(directory), None, None, "directory not found")])
    return {
        path.name: path.read_bytes()
        for path in sorted(directory.iterdir())
        if path.is_file() and path.name.lower().endswith(PROCESS_SUFFIXES)
    }


def check_sources(sources: Mapping[str, bytes | str], forms_dir: Path) -> ProcessLibrary:
    return read_library(sources, load_forms(forms_dir))


def validation_report(sources: Mapping[str, bytes | str], forms_dir: Path) -> dict[str, Any]:
    """What `trajectflow validate` prints, as data: every problem, and whether any is an error."""
    library = check_sources(sources, forms_dir)
    errors = len(library.errors)
    return {
        "valid": errors == 0,
        "errors": errors,
        "warnings": len(library.problems) - errors,
        "problems": [problem.as_dict() for problem in library.problems],
    }


def deploy_sources(
    ctx: ServiceContext, sources: Mapping[str, bytes | str], forms_dir: Path, actor: str | None = None
) -> list[DeployedVersion]:
    """Validate all sources together and store a version for each executable process that changed.

    Every deploy is logged (`deployments`: who, which files, which versions came of it), also when
    nothing changed; the API requires the designer role before it gets here, the CLI deploys as "cli".
    """
    forms = load_forms(forms_dir)
    library = read_library(sources, forms)
    require_valid(library)
    return _store_versions(ctx, library, forms, actor)


def _store_versions(
    ctx: ServiceContext, library: ProcessLibrary, forms: dict, actor: str | None
) -> list[DeployedVersion]:
    results: list[DeployedVersion] = []
    with ctx.uow() as uow:
        for process_id in library.executable_ids():
            definition = library.definition(process_id)
            used_forms = _forms_used(definition.elements, forms)
            content_hash = _version_hash(definition.content_hash, used_forms)
            existing = uow.session.scalar(
                select(ProcessVersion).where(
                    ProcessVersion.process_id == process_id,
                    ProcessVersion.content_hash == content_hash,
                )
            )
            if existing is not None:
                results.append(DeployedVersion(process_id, existing.version, False))
                continue
            latest = uow.session.scalar(
                select(func.max(ProcessVersion.version)).where(ProcessVersion.process_id == process_id)
            )
            version = ProcessVersion(
                process_id=process_id,
                version=(latest or 0) + 1,
                name=definition.name,
                content_hash=content_hash,
                sources=definition.sources,
                forms=used_forms,
                elements=definition.elements,
                deployed_at=ctx.clock.now(),
                deployed_by=actor,
            )
            uow.session.add(version)
            results.append(DeployedVersion(process_id, version.version, True))
        uow.session.add(
            Deployment(
                deployed_at=ctx.clock.now(),
                actor=actor or "unknown",
                files=sorted(library.sources),
                versions=[{"process_id": r.process_id, "version": r.version, "created": r.created} for r in results],
            )
        )
        uow.commit()
    return results


def deploy_directory(
    ctx: ServiceContext, directory: Path, forms_dir: Path, actor: str | None = None
) -> list[DeployedVersion]:
    return deploy_sources(ctx, read_directory(directory), forms_dir, actor)


def _version_hash(sources_hash: str, forms: dict) -> str:
    """A version is its sources and the forms its tasks use: a changed form is a new version."""
    payload = sources_hash + json.dumps(forms, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _forms_used(elements: dict, forms: dict) -> dict:
    names = {info["form"] for process in elements.values() for info in process.values() if info.get("form")}
    return {name: forms[name] for name in sorted(names) if isinstance(forms.get(name), dict)}


def deploy_as(ctx: ServiceContext, actor: Actor, sources: Mapping[str, bytes | str]) -> dict[str, Any]:
    """Deploy on behalf of a user, process designers (procesontwerper, beheerder) only: versions and warnings."""
    require_designer(actor)
    forms = load_forms(ctx.settings.forms_dir)
    library = read_library(sources, forms)
    require_valid(library)
    results = _store_versions(ctx, library, forms, actor.username)
    return {
        "versions": [{"process_id": r.process_id, "version": r.version, "created": r.created} for r in results],
        "warnings": [p.as_dict() for p in library.problems if p.severity != "error"],
    }


def deployment_log(ctx: ServiceContext, limit: int = 50) -> list[dict[str, Any]]:
    """The latest deploys, newest first: who, when, which files, which versions."""
    with ctx.uow(write=False) as uow:
        rows = uow.session.scalars(select(Deployment).order_by(Deployment.id.desc()).limit(limit))
        return [
            {"id": r.id, "deployed_at": r.deployed_at, "actor": r.actor, "files": r.files, "versions": r.versions}
            for r in rows
        ]
