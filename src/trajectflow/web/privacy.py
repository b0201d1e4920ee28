"""Privacy on the dossier: the inzageverzoek download (JSON, PDF) and showing the full BSN on request."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _

from ..services.bsn_view import reveal_bsn
from ..services.inzage import client_export, export_json, may_export_client_data
from ..services.inzage_pdf import export_pdf
from .auth import current_web_actor, login_required, optional_web_actor, web_context
from .errors import web_blueprint

bp = web_blueprint("privacy", __name__)


@bp.app_context_processor
def _privacy_helpers() -> dict[str, Any]:
    def may_export() -> bool:
        actor = optional_web_actor()
        return actor is not None and may_export_client_data(actor)

    return {"may_export_client_data": may_export}


@bp.get("/clienten/<int:client_id>/inzage.<any(json, pdf):file_format>")
@login_required
def inzage(client_id: int, file_format: str) -> Response:
    export = client_export(web_context(), current_web_actor(), client_id)
    body = export_pdf(export) if file_format == "pdf" else export_json(export)
    response = Response(body, mimetype="application/pdf" if file_format == "pdf" else "application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="inzage-client-{client_id}.{file_format}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/dossiers/<int:case_id>/bsn")
@login_required
def bsn(case_id: int) -> Any:
    number = reveal_bsn(web_context(), current_web_actor(), case_id)
    if request.headers.get("HX-Request"):
        return render_template("privacy/_bsn.html", bsn=number)
    page = render_template("privacy/bsn.html", bsn=number, case_id=case_id, title=_("BSN of the client"))
    return Response(page, headers={"Cache-Control": "no-store"})
