"""Move running cases to another version: pick versions, dry-run, read the report, run it."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from ...domain.errors import TrajectflowError
from ...services.migration import migration_report
from ...services.supervision_queries import process_versions
from ..auth import current_web_actor, web_context
from ..supervisor.common import error_text
from . import bp, migration_required


def _form() -> dict[str, Any]:
    source = request.values
    case_ids = [int(part) for part in source.get("case_ids", "").replace(",", " ").split() if part.isdigit()]
    return {
        "process_id": source.get("process_id", ""),
        "from_version": int(source["from_version"]) if source.get("from_version", "").isdigit() else None,
        "to_version": int(source["to_version"]) if source.get("to_version", "").isdigit() else None,
        "case_ids": case_ids,
    }


@bp.route("/migreren", methods=["GET", "POST"])
@migration_required
def migrate() -> tuple[str, int] | str:
    ctx, actor = web_context(), current_web_actor()
    form = _form()
    report, error = None, None
    if request.method == "POST":
        if not (form["process_id"] and form["from_version"] and form["to_version"]):
            error = _("Choose a process and both versions.")
        else:
            try:
                report = migration_report(
                    ctx, actor, form["process_id"], form["from_version"], form["to_version"],
                    form["case_ids"] or None, dry_run=request.form.get("run") != "1",
                )  # fmt: skip
            except TrajectflowError as failure:
                error = error_text(failure)
    page = render_template(
        "designer/migrate.html", versions=process_versions(ctx), form=form, report=report, error=error
    )
    return (page, 422) if error else page
