"""Access rules of the security endpoints: accounts and their administration, the audit log, privacy
(full BSN, inzageverzoek), billable records and OpenID Connect sign-in."""

from __future__ import annotations

from .rules import (
    ADMINS,
    BILLING,
    INZAGE,
    TEAMLEIDER,
    Rule,
    Target,
    admin_of_managed,
    only,
    owner_or_their_admin,
    public,
    signed_in,
)
from .rules_api import _m, case_of
from .world import MANAGED, World

NEW_PASSWORD = "Een-nieuw-wachtwoord-42"
PER_M = {"per_municipality": True}
# Accounts belong to a unit (organisation or municipality), not to a municipality's cases: who may manage one is
# in `admin_of_managed`, so the tenancy of cases does not apply on top.
MANAGED_ACCOUNT = {"per_municipality": True, "tenancy": False}


def managed(world: World, m: str | None, **body: object) -> Target:
    return Target({"username": MANAGED[_m(m)].username}, json=body or None)


def managed_form(world: World, m: str | None, **form: str) -> Target:
    return Target({"username": MANAGED[_m(m)].username}, data=form)


def new_account(world: World, m: str | None) -> Target:
    username = f"matrix-nieuw-{world.number()}"
    return Target(json={"username": username, "roles": ["jobcoach"], "password": NEW_PASSWORD})


def new_account_form(world: World, m: str | None) -> Target:
    form = {"username": f"matrix-pagina-{world.number()}", "roles": "jobcoach", "display_name": "Nieuw"}
    return Target(data={**form, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})


def client_of(world: World, m: str | None, **values: str) -> Target:
    return Target({"client_id": world.sides[_m(m)].client_id, **values})


SECURITY_RULES: dict[str, dict[str, Rule]] = {
    # Audit records of a case are shown to supervisors (and exportable).
    "api_audit.CaseAudit": {"GET": only(TEAMLEIDER, case_of, **PER_M)},
    "dossier.audit_csv": {"GET": only(TEAMLEIDER, case_of, **PER_M)},
    # The full BSN, on request, to whoever may see the dossier; the inzageverzoek export to klantmanager/teamleider.
    "privacy.bsn": {"GET": signed_in(case_of, **PER_M)},
    "clients.ClientExport": {"GET": only(INZAGE, client_of, **PER_M)},
    "privacy.inzage": {"GET": only(INZAGE, lambda w, m: client_of(w, m, file_format="json"), **PER_M)},
    "kpis.BillingRecords": {"GET": only(BILLING, aggregates=True)},
    "kpis.BillingRecordsFile": {"GET": only(BILLING, lambda w, m: Target({"file_format": "csv"}), aggregates=True)},
    "supervisor.billing_records_download": {
        "GET": only(BILLING, lambda w, m: Target({"file_format": "csv"}), aggregates=True)
    },
    # Users: a functioneel beheerder, for the accounts of their own organisation (or municipality).
    "users.Users": {"GET": only(ADMINS), "POST": only(ADMINS, new_account)},
    "users.User": {
        "GET": only(admin_of_managed, managed, **MANAGED_ACCOUNT),
        "PATCH": only(admin_of_managed, lambda w, m: managed(w, m, display_name="Beheerd"), **MANAGED_ACCOUNT),
    },
    "users.Password": {
        "POST": only(admin_of_managed, lambda w, m: managed(w, m, password=NEW_PASSWORD), **MANAGED_ACCOUNT)
    },
    "users.Unlock": {"POST": only(admin_of_managed, managed, **MANAGED_ACCOUNT)},
    "users.Tokens": {
        "GET": only(admin_of_managed, managed, **MANAGED_ACCOUNT),
        "DELETE": only(admin_of_managed, managed, **MANAGED_ACCOUNT),
    },
    "admin.users": {"GET": only(ADMINS)},
    "admin.new": {"GET": only(ADMINS)},
    "admin.create": {"POST": only(ADMINS, new_account_form)},
    "admin.user": {"GET": only(admin_of_managed, managed, **MANAGED_ACCOUNT)},
    "admin.update": {
        "POST": only(
            admin_of_managed,
            lambda w, m: managed_form(w, m, display_name="Beheerd", roles="klantmanager"),
            **MANAGED_ACCOUNT,
        )
    },
    "admin.set_active": {
        "POST": only(admin_of_managed, lambda w, m: managed_form(w, m, active="1"), **MANAGED_ACCOUNT)
    },
    "admin.password": {
        "POST": only(
            admin_of_managed,
            lambda w, m: managed_form(w, m, password=NEW_PASSWORD, password_repeat=NEW_PASSWORD),
            **MANAGED_ACCOUNT,
        )
    },
    "admin.unlock": {"POST": only(admin_of_managed, managed_form, **MANAGED_ACCOUNT)},
    "admin.revoke_tokens": {"POST": only(admin_of_managed, managed_form, **MANAGED_ACCOUNT)},
    # Your own account page and personal tokens (a beheerder may also revoke those of accounts they manage).
    "account.index": {"GET": signed_in()},
    "account.create": {"POST": signed_in(lambda w, m: Target(data={"name": "matrix", "expires_in_days": "1"}))},
    "account.revoke": {
        "POST": only(
            owner_or_their_admin,
            lambda w, m: Target({"token_id": w.sides[_m(m)].token_id}, data={}),
            per_municipality=True,
            tenancy=False,
        )
    },
    # OpenID Connect sign-in is where signing in starts: open to all (no provider is configured here: 404).
    "oidc.start": {"GET": public(lambda w, m: Target({"name": "matrix"}))},
    "oidc.callback": {"GET": public(lambda w, m: Target({"name": "matrix"}))},
}
