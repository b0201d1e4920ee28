"""Teamleider pages: stuck cases, one case's actions, workload with redistribution, diagram heatmap."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from werkzeug.wrappers import Response

from ...domain.municipalities import MUNICIPALITIES
from ...services.queries import case_detail, case_history
from ...services.supervision import movable_elements
from ...services.supervision_queries import (
    StuckFilter,
    assignable_users,
    heatmap,
    open_tasks_for,
    process_versions,
    stuck_cases,
    workload,
)
from ..auth import current_web_actor, web_context
from . import bp
from .common import supervisor_required


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, "")
    return min(high, max(low, int(value))) if value.isdigit() else default


@bp.get("/")
@supervisor_required
def stuck() -> str:
    ctx, actor = web_context(), current_web_actor()
    municipality = request.args.get("municipality") or None
    filters = StuckFilter(idle_days=_int_arg("idle_days", 14, 0, 3650), municipality=municipality)
    return render_template(
        "supervisor/stuck.html",
        stuck=stuck_cases(ctx, actor, filters),
        filters=filters,
        users=assignable_users(ctx, actor),
        municipalities=MUNICIPALITIES,
    )


@bp.get("/zaken/<int:case_id>")
@supervisor_required
def case(case_id: int) -> str:
    ctx, actor = web_context(), current_web_actor()
    return render_template(
        "supervisor/case.html",
        case=case_detail(ctx, case_id),
        history=case_history(ctx, case_id)[-15:],
        targets=movable_elements(ctx, actor, case_id),
        users=assignable_users(ctx, actor),
    )


@bp.get("/werkvoorraad")
@supervisor_required
def workload_page() -> str:
    ctx, actor = web_context(), current_web_actor()
    assignee = request.args.get("assignee") or None
    role = request.args.get("role") or None
    municipality = request.args.get("municipality") or None
    tasks = open_tasks_for(ctx, actor, assignee, role) if (assignee or role) else []
    return render_template(
        "supervisor/workload.html",
        load=workload(ctx, actor, municipality),
        tasks=tasks,
        selected={"assignee": assignee, "role": role, "municipality": municipality},
        users=assignable_users(ctx, actor),
        municipalities=MUNICIPALITIES,
    )


def _heatmap_args() -> tuple[str, int | None]:
    versions = process_versions(web_context())
    default = versions[0]["process_id"] if versions else ""
    preferred = next((v["process_id"] for v in versions if v["process_id"] == "participatie_traject"), default)
    version = request.args.get("version", "")
    return request.args.get("process_id") or preferred, int(version) if version.isdigit() else None


@bp.get("/heatmap")
@supervisor_required
def heatmap_page() -> str:
    ctx, actor = web_context(), current_web_actor()
    process_id, version = _heatmap_args()
    data: dict[str, Any] | None = heatmap(ctx, actor, process_id, version) if process_id else None
    return render_template(
        "supervisor/heatmap.html",
        data=data,
        versions=process_versions(ctx),
        process_id=process_id,
        version=version,
    )


@bp.get("/heatmap.json")
@supervisor_required
def heatmap_data() -> Response:
    process_id, version = _heatmap_args()
    return jsonify(heatmap(web_context(), current_web_actor(), process_id, version))
