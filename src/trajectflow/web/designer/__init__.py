"""Process designer pages: moving cases between versions, the BPMN modeler, DMN decision tables."""

from __future__ import annotations

from ...services.migration import DESIGNER_ROLES, MIGRATION_ROLES
from ..auth import role_required
from ..errors import web_blueprint

bp = web_blueprint("designer", __name__, url_prefix="/procesontwerp")
designer_required = role_required(*sorted(DESIGNER_ROLES))
migration_required = role_required(*sorted(MIGRATION_ROLES))

from . import migration, modeler  # noqa: E402,F401  (routes register on bp)
