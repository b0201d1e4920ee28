"""Mijn werk: my tasks, my groups' unclaimed tasks, overdue and due this week; filters, saved filters, paging."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..domain.bsn import is_valid_bsn_search
from ..domain.errors import Forbidden, ValidationFailed
from ..domain.municipalities import MUNICIPALITIES
from ..services.saved_filters import delete_filter, list_filters, save_filter
from ..services.worklist import WorklistFilter, count, filter_options, view_counts, worklist
from .auth import current_web_actor, login_required, web_context
from .errors import web_blueprint

bp = web_blueprint("worklist", __name__)


@bp.get("/")
@login_required
def index() -> str:
    ctx = web_context()
    actor = current_web_actor()
    filters = WorklistFilter.from_params(request.args.to_dict())
    page = worklist(ctx, actor, filters)
    saved = list_filters(ctx, actor)
    for entry in saved:
        entry["count"] = count(ctx, actor, WorklistFilter.from_params(entry["params"]))
        entry["query"] = urlencode(entry["params"])
    template = "worklist/_results.html" if request.headers.get("HX-Request") else "worklist/index.html"
    return render_template(
        template,
        filters=filters,
        params=filters.params(),
        page=page,
        pages=max(1, -(-page.total // page.page_size)),
        counts=view_counts(ctx, actor, filters),
        saved=saved,
        options=filter_options(ctx, actor),
        municipalities=MUNICIPALITIES,
        bsn_invalid=not is_valid_bsn_search(filters.client),
        link=lambda **changes: url_for(".index", **{**filters.params(), **changes}),
    )


@bp.post("/filters")
@login_required
def save() -> Response:
    params: dict[str, Any] = {k: v for k, v in request.form.items() if k not in ("csrf_token", "name", "team")}
    try:
        save_filter(web_context(), current_web_actor(), request.form.get("name", ""), params, request.form.get("team"))
    except ValidationFailed:
        flash(_("Give the filter a name."), "error")
    except Forbidden:
        flash(_("You can only share a filter with a team you belong to."), "error")
    else:
        flash(_("Filter saved."), "success")
    kept: dict[str, Any] = dict(WorklistFilter.from_params(params).params())
    return redirect(url_for(".index", **kept))


@bp.post("/filters/<int:filter_id>/verwijderen")
@login_required
def delete(filter_id: int) -> Response:
    delete_filter(web_context(), current_web_actor(), filter_id)
    flash(_("Filter deleted."), "success")
    return redirect(url_for(".index"))
