"""REST API: flask-smorest blueprints that parse, call a service and serialise."""

from __future__ import annotations

from flask import Flask

from .errors import TrajectflowApi
from .identity import install_api_identity


def register_api(app: Flask) -> TrajectflowApi:
    from .audit import blp as audit_blp
    from .auth import blp as auth_blp
    from .cases import blp as cases_blp
    from .clients import blp as clients_blp
    from .employers import blp as employers_blp
    from .kpis import blp as kpis_blp
    from .notifications import blp as notifications_blp
    from .processes import blp as processes_blp
    from .programmes import blp as programmes_blp
    from .supervision import blp as supervision_blp
    from .supervision_reports import blp as supervision_reports_blp
    from .tasks import blp as tasks_blp
    from .users import blp as users_blp

    api = TrajectflowApi(app)
    install_api_identity(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_blueprint(auth_blp)
    api.register_blueprint(audit_blp)
    api.register_blueprint(users_blp)
    for blueprint in (processes_blp, cases_blp, tasks_blp, supervision_blp, supervision_reports_blp, notifications_blp):
        api.register_blueprint(blueprint)
    for blueprint in (employers_blp, programmes_blp, kpis_blp, clients_blp):
        api.register_blueprint(blueprint)
    return api
