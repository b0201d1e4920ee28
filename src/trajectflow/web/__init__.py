"""Server-rendered pages (Jinja + htmx). Views parse the request, call services and render; nothing else.

`register_web(app)` wires translations, CSRF protection, the template helpers and every page
blueprint. A new area of pages (like `supervisor/`) makes its blueprint with `web_blueprint(...)`
(so errors become HTML pages), adds it to `_blueprints()` and its menu entry with `add_nav_item`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from ..domain.accounts import ADMIN_ROLE
from ..domain.roles import CASEWORK_ROLES, SUPERVISOR_ROLES
from ..services.migration import DESIGNER_ROLES, MIGRATION_ROLES
from .auth import bp as auth_bp
from .csrf import install_csrf
from .errors import install_app_error_pages
from .i18n import bp as i18n_bp
from .i18n import install_babel
from .nav import add_nav_item
from .security_headers import install_security_headers
from .templating import install_template_helpers


def _blueprints() -> list[Blueprint]:
    from .account import bp as account_bp
    from .admin import bp as admin_bp
    from .cases import bp as cases_bp
    from .designer import bp as designer_bp
    from .employers import bp as employers_bp
    from .melding import bp as melding_bp
    from .oidc import bp as oidc_bp
    from .privacy import bp as privacy_bp
    from .supervisor import bp as supervisor_bp
    from .tasks import bp as tasks_bp
    from .worklist import bp as worklist_bp

    return [auth_bp, i18n_bp, worklist_bp, tasks_bp, cases_bp, melding_bp, supervisor_bp, employers_bp, designer_bp,
            account_bp, oidc_bp, privacy_bp, admin_bp]  # fmt: skip


def register_web(app: Flask) -> None:
    install_babel(app)
    install_csrf(app)
    install_security_headers(app)
    install_template_helpers(app)
    install_app_error_pages(app)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    add_nav_item(app, "worklist.index", "worklist")
    add_nav_item(app, "melding.new", "melding", CASEWORK_ROLES)
    add_nav_item(app, "supervisor.stuck", "supervisor", SUPERVISOR_ROLES)
    add_nav_item(app, "supervisor.reports_page", "reports", SUPERVISOR_ROLES)
    add_nav_item(app, "employer_pages.index", "employers")
    add_nav_item(app, "employer_pages.programmes", "programmes")
    add_nav_item(app, "designer.index", "designer", DESIGNER_ROLES)
    add_nav_item(app, "designer.migrate", "migration", MIGRATION_ROLES)
    add_nav_item(app, "admin.users", "admin", {ADMIN_ROLE})
