"""User administration over HTTP (/api/users) and on the command line (`trajectflow users …`):
only a functioneel beheerder, only accounts of their own organisation or municipality, the password
policy, tokens revoked on a new password or deactivation, lock-outs lifted, demo accounts kept demo."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.audit_support import database_url
from trajectflow.cli_accounts import users as cli
from trajectflow.services.context import ServiceContext
from trajectflow.services.demo_users import ensure_demo_users
from trajectflow.services.users import ensure_user
from trajectflow.store.models import User
from trajectflow.store.security_models import AuditRecord

ORG = "werkbedrijf-roermond"
ADMIN = "beheerder"
STRONG = "a long enough passphrase"


@pytest.fixture
def staff(ctx):  # type: ignore[no-untyped-def]
    """The demo accounts (Werkbedrijf Roermond, Laborijn, Leudal) plus a beheerder at Laborijn and at Leudal."""
    ensure_demo_users(ctx)
    ensure_user(ctx, "beheer-laborijn", [ADMIN], None, "Beheer Laborijn", organisation="laborijn")
    ensure_user(ctx, "beheer-leudal", [ADMIN], None, "Beheer Leudal", municipality="leudal")
    return ctx


def _users(ctx: ServiceContext) -> int:
    with ctx.uow(write=False) as uow:
        return int(uow.session.scalar(select(func.count(User.id))) or 0)


def _sign_in(server, username: str, password: str) -> requests.Response:  # type: ignore[no-untyped-def]
    return requests.post(
        server.base_url + "/api/auth/token", json={"username": username, "password": password}, timeout=30
    )


def _bearer(server, username: str, password: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = _sign_in(server, username, password)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _create(server, user: str = ADMIN, **body: Any) -> requests.Response:  # type: ignore[no-untyped-def]
    return server.request("POST", "/api/users", user=user, json=body)


def test_only_a_beheerder_manages_accounts(server, staff):  # type: ignore[no-untyped-def]
    before = _users(staff)
    assert server.request("GET", "/api/users").status_code == 401
    for role in ("klantmanager", "teamleider", "procesontwerper"):
        listed = server.request("GET", "/api/users", user=role)
        assert listed.status_code == 403 and listed.json()["error"] == "forbidden"
        made = _create(server, role, username="nieuw", roles=["klantmanager"], password=STRONG)
        assert made.status_code == 403
        for method, path, body in (
            ("PATCH", "/api/users/jobcoach", {"roles": ["beheerder"]}),
            ("POST", "/api/users/jobcoach/password", {"password": STRONG}),
            ("POST", "/api/users/jobcoach/unlock", None),
            ("DELETE", "/api/users/jobcoach/tokens", None),
            ("GET", "/api/users/jobcoach/tokens", None),
        ):
            assert server.request(method, path, user=role, json=body).status_code == 403, (role, method, path)
    assert _users(staff) == before
    assert server.request("GET", "/api/users/jobcoach", user="jobcoach").status_code == 403


def test_create_an_account_that_signs_in(server, staff):  # type: ignore[no-untyped-def]
    made = _create(server, username="m.jansen", roles=["klantmanager", "jobcoach"], display_name="M. Jansen",
                   email="m.jansen@example.nl", password=STRONG)  # fmt: skip
    assert made.status_code == 201, made.text
    account = made.json()
    assert account["organisation"] == ORG and account["municipality"] is None  # the beheerder's own
    assert account["roles"] == ["klantmanager", "jobcoach"] and account["demo"] is False and account["active"]
    assert "password" not in account and account["has_password"]
    me = requests.get(server.base_url + "/api/auth/me", headers=_bearer(server, "m.jansen", STRONG), timeout=30)
    assert me.json()["municipalities"] == ["echt-susteren", "leudal", "maasgouw", "roerdalen", "roermond"]
    listed = server.request("GET", "/api/users?search=jansen", user=ADMIN).json()
    assert [a["username"] for a in listed] == ["m.jansen"] and listed[0]["live_tokens"] == 1
    oidc_only = _create(server, username="oidc.user", roles=["jobcoach"])
    assert oidc_only.status_code == 201 and oidc_only.json()["has_password"] is False
    assert _sign_in(server, "oidc.user", "").status_code == 422  # no password at all: not even tried


def test_invalid_accounts_are_refused_per_field_and_change_nothing(server, staff):  # type: ignore[no-untyped-def]
    before = _users(staff)
    cases = [
        ({"username": "kort", "roles": ["jobcoach"], "password": "elf tekens!"}, {"password"}),
        ({"username": "lange.naam.hier", "roles": ["jobcoach"], "password": "LANGE.NAAM.HIER"}, {"password"}),
        ({"username": "x", "roles": ["jobcoach"], "password": STRONG}, {"username"}),
        ({"username": "met spatie", "roles": ["jobcoach"], "password": STRONG}, {"username"}),
        ({"username": "geen.rol", "roles": [], "password": STRONG}, {"roles"}),
        ({"username": "rare.rol", "roles": ["koning"], "password": STRONG}, {"roles"}),
        ({"username": "post", "roles": ["jobcoach"], "email": "geen-adres"}, {"email"}),
        ({"username": "gem", "roles": ["jobcoach"], "municipality": "atlantis"}, {"municipality"}),
        ({"username": "veel", "roles": ["koning"], "password": "kort"}, {"roles", "password"}),
    ]
    for body, fields in cases:
        refused = _create(server, **body)
        assert refused.status_code == 422, (body, refused.text)
        assert set(refused.json()["details"]) == fields, (body, refused.json())
    assert "at least 12 characters" in _create(server, **cases[0][0]).json()["details"]["password"][0]
    assert _create(server, username="nopass").status_code == 422  # roles missing: schema
    taken = _create(server, username="jobcoach", roles=["jobcoach"], password=STRONG)
    assert taken.status_code == 409 and taken.json()["details"] == {"username": ["this user name is taken"]}
    assert _users(staff) == before


def test_a_beheerder_sees_and_changes_only_their_own_organisation(server, staff):  # type: ignore[no-untyped-def]
    laborijn = server.request("GET", "/api/users", user="beheer-laborijn").json()
    assert [a["username"] for a in laborijn] == ["beheer-laborijn", "klantmanager-laborijn", "teamleider-laborijn"]
    leudal = server.request("GET", "/api/users", user="beheer-leudal").json()
    assert [a["username"] for a in leudal] == ["beheer-leudal", "klantmanager-leudal"]
    roermond = [a["username"] for a in server.request("GET", "/api/users", user=ADMIN).json()]
    assert "klantmanager" in roermond and "klantmanager-leudal" not in roermond and "beheer-laborijn" not in roermond
    for path in ("/api/users/klantmanager", "/api/users/klantmanager/tokens"):
        assert server.request("GET", path, user="beheer-laborijn").status_code == 404
    assert (
        server.request("PATCH", "/api/users/klantmanager", user="beheer-laborijn", json={"active": False}).status_code
        == 404
    )
    assert server.request("POST", "/api/users/klantmanager/password", user="beheer-leudal",
                          json={"password": STRONG}).status_code == 404  # fmt: skip
    elsewhere = _create(server, "beheer-laborijn", username="spion", roles=["jobcoach"], organisation=ORG)
    assert elsewhere.status_code == 403
    moved = server.request(
        "PATCH", "/api/users/klantmanager-laborijn", user="beheer-laborijn", json={"organisation": ORG}
    )
    assert moved.status_code == 403
    own = _create(server, "beheer-leudal", username="leudal.km", roles=["klantmanager"], password=STRONG)
    assert own.status_code == 201 and own.json()["municipality"] == "leudal" and own.json()["organisation"] is None
    # tokens: a beheerder revokes those of their own accounts only
    token_id = server.request("POST", "/api/auth/tokens", user="klantmanager", json={"name": "script"}).json()["id"]
    assert server.request("DELETE", f"/api/auth/tokens/{token_id}", user="beheer-laborijn").status_code == 404
    assert server.request("DELETE", f"/api/auth/tokens/{token_id}", user="jobcoach").status_code == 404
    revoked = server.request("DELETE", f"/api/auth/tokens/{token_id}", user=ADMIN)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_roles_change_at_once_and_deactivation_revokes_tokens(server, staff):  # type: ignore[no-untyped-def]
    _create(server, username="wisselaar", roles=["jobcoach"], password=STRONG)
    auth = _bearer(server, "wisselaar", STRONG)
    changed = server.request(
        "PATCH", "/api/users/wisselaar", user=ADMIN, json={"roles": ["teamleider"], "display_name": "W"}
    )
    assert changed.status_code == 200 and changed.json()["roles"] == ["teamleider"]
    me = requests.get(server.base_url + "/api/auth/me", headers=auth, timeout=30).json()
    assert me["roles"] == ["teamleider"]
    assert server.request("PATCH", "/api/users/wisselaar", user=ADMIN, json={"demo": True}).status_code == 422
    off = server.request("PATCH", "/api/users/wisselaar", user=ADMIN, json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False and off.json()["live_tokens"] == 0
    assert requests.get(server.base_url + "/api/auth/me", headers=auth, timeout=30).status_code == 401
    assert _sign_in(server, "wisselaar", STRONG).status_code == 401
    tokens = server.request("GET", "/api/users/wisselaar/tokens", user=ADMIN).json()
    assert tokens and all(t["revoked_at"] for t in tokens)
    back = server.request("PATCH", "/api/users/wisselaar", user=ADMIN, json={"active": True})
    assert back.json()["active"] and _sign_in(server, "wisselaar", STRONG).status_code == 201
    # a beheerder cannot lock themselves out
    self_off = server.request("PATCH", f"/api/users/{ADMIN}", user=ADMIN, json={"active": False})
    assert self_off.status_code == 422 and set(self_off.json()["details"]) == {"active"}
    self_demote = server.request("PATCH", f"/api/users/{ADMIN}", user=ADMIN, json={"roles": ["jobcoach"]})
    assert self_demote.status_code == 422 and set(self_demote.json()["details"]) == {"roles"}
    assert "beheerder" in server.request("GET", f"/api/users/{ADMIN}", user=ADMIN).json()["roles"]
    assert server.request("PATCH", "/api/users/wisselaar", user="teamleider", json={"active": False}).status_code == 403
    with staff.uow(write=False) as uow:  # administration is in the audit trail, refusals included
        trail = uow.session.execute(
            select(AuditRecord.actor, AuditRecord.action, AuditRecord.result, AuditRecord.details)
            .where(AuditRecord.object_type == "user", AuditRecord.object_id == "wisselaar")
            .order_by(AuditRecord.seq)
        ).all()
    changes = [(r.actor, r.action, r.result) for r in trail if r.action == "admin"]
    results = ["success", "success", "failed", "success", "success"]  # create, roles, demo flag (422), off, on
    assert changes == [(ADMIN, "admin", r) for r in results] + [("teamleider", "admin", "denied")]
    assert STRONG not in str(trail)


def test_new_password_revokes_tokens_and_unlock_lifts_a_lock_out(server, staff):  # type: ignore[no-untyped-def]
    staff.settings = replace(staff.settings, login_rate_per_minute=0)
    _create(server, username="vergeten", roles=["jobcoach"], password=STRONG)
    auth = _bearer(server, "vergeten", STRONG)
    weak = server.request("POST", "/api/users/vergeten/password", user=ADMIN, json={"password": "vergeten"})
    assert weak.status_code == 422 and len(weak.json()["details"]["password"]) == 2  # too short and the name
    assert requests.get(server.base_url + "/api/auth/me", headers=auth, timeout=30).status_code == 200
    new = "een heel ander wachtwoord"
    reset = server.request("POST", "/api/users/vergeten/password", user=ADMIN, json={"password": new})
    assert reset.status_code == 200 and reset.json() == {"username": "vergeten", "count": 1}
    assert requests.get(server.base_url + "/api/auth/me", headers=auth, timeout=30).status_code == 401
    assert _sign_in(server, "vergeten", STRONG).status_code == 401
    for _ in range(4):
        _sign_in(server, "vergeten", "nog steeds fout")
    assert _sign_in(server, "vergeten", new).status_code == 429
    state = server.request("GET", "/api/users/vergeten", user=ADMIN).json()
    assert state["locked"] and state["failed_sign_ins"] == 5
    unlocked = server.request("POST", "/api/users/vergeten/unlock", user=ADMIN)
    assert unlocked.status_code == 200 and unlocked.json()["count"] == 5
    assert _sign_in(server, "vergeten", new).status_code == 201
    _sign_in(server, "vergeten", new)
    dropped = server.request("DELETE", "/api/users/vergeten/tokens", user=ADMIN)
    assert (
        dropped.json()["count"] == 2
        and server.request("GET", "/api/users/vergeten", user=ADMIN).json()["live_tokens"] == 0
    )
    assert server.request("POST", "/api/users/niemand/unlock", user=ADMIN).status_code == 404


def test_demo_accounts_stay_demo_accounts(server, staff):  # type: ignore[no-untyped-def]
    ensure_user(staff, "beheer-roermond", [ADMIN], None, "Beheer Roermond", organisation="werkbedrijf-roermond")
    staff.settings = replace(staff.settings, demo_mode=False)
    # Outside demo mode a demo account is no way in at all, not even with a token made before.
    assert server.request("GET", "/api/auth/me", user="teamleider").status_code == 401
    admin = "beheer-roermond"
    changed = server.request("PATCH", "/api/users/jobcoach", user=admin, json={"display_name": "Jan Coach"})
    assert changed.status_code == 200 and changed.json()["demo"] is True
    short = server.request("POST", "/api/users/jobcoach/password", user=admin, json={"password": "demo2"})
    assert short.status_code == 200  # demo accounts are exempt from the policy …
    assert _sign_in(server, "jobcoach", "demo2").status_code == 401  # … and still refused outside demo mode
    staff.settings = replace(staff.settings, demo_mode=True)
    assert _sign_in(server, "jobcoach", "demo2").status_code == 201


# -- command line -----------------------------------------------------------------------------------
def test_first_beheerder_from_the_command_line(server, ctx):  # type: ignore[no-untyped-def]
    env = {"TRAJECTFLOW_DATABASE_URL": database_url(ctx), "TRAJECTFLOW_DEMO": "0"}
    run = CliRunner().invoke
    args = ["create", "admin", "--role", "beheerder", "--organisation", ORG, "--password-stdin"]
    weak = run(cli, args, input="admin\n", env=env)
    assert (
        weak.exit_code == 1
        and "password: use at least 12 characters; the password may not be the user name" in weak.output
    )
    assert _users(ctx) == 0
    made = run(cli, args, input=f"{STRONG}\n", env=env)
    assert made.exit_code == 0 and "created admin (beheerder; werkbedrijf-roermond)" in made.output, made.output
    assert run(cli, args, input=f"{STRONG}\n", env=env).exit_code == 1  # taken
    auth = _bearer(server, "admin", STRONG)
    made = requests.post(server.base_url + "/api/users", headers=auth, timeout=30,
                         json={"username": "km", "roles": ["klantmanager"], "password": STRONG})  # fmt: skip
    assert made.status_code == 201, made.text

    listed = run(cli, ["list"], env=env)
    assert listed.exit_code == 0 and listed.output.splitlines() == [
        f"admin\tbeheerder\t{ORG}\tactive",
        f"km\tklantmanager\t{ORG}\tactive",
    ]
    assert run(cli, ["deactivate", "km"], env=env).exit_code == 0
    assert _sign_in(server, "km", STRONG).status_code == 401
    assert "km\tklantmanager\twerkbedrijf-roermond\tinactive" in run(cli, ["list"], env=env).output
    assert run(cli, ["activate", "km"], env=env).exit_code == 0
    new = "weer een nieuw wachtwoord"
    changed = run(cli, ["set-password", "km", "--password-stdin"], input=f"{new}\n", env=env)
    assert changed.exit_code == 0 and "0 API token(s) revoked" in changed.output
    for _ in range(5):
        _sign_in(server, "km", "fout fout fout")
    assert _sign_in(server, "km", new).status_code == 429
    unlocked = run(cli, ["unlock", "km"], env=env)
    assert unlocked.exit_code == 0 and "5 failed sign-in(s) forgotten" in unlocked.output
    assert _sign_in(server, "km", new).status_code == 201
    missing = run(cli, ["unlock", "niemand"], env=env)
    assert missing.exit_code == 1 and "no account 'niemand'" in missing.output
    with ctx.uow(write=False) as uow:  # every command is in the audit trail, refused ones too, never a password
        records = uow.session.execute(
            select(AuditRecord.action, AuditRecord.object_id, AuditRecord.result, AuditRecord.details)
            .where(AuditRecord.actor.like("cli:%"))
            .order_by(AuditRecord.seq)
        ).all()
    assert [(r.action, r.object_id, r.result, r.details["command"]) for r in records] == [
        ("admin", "admin", "failure", "create"),
        ("admin", "admin", "success", "create"),
        ("admin", "admin", "failure", "create"),
        ("list", None, "success", "list"),
        ("admin", "km", "success", "deactivate"),
        ("list", None, "success", "list"),
        ("admin", "km", "success", "activate"),
        ("admin", "km", "success", "set-password"),
        ("admin", "km", "success", "unlock"),
        ("admin", "niemand", "failure", "unlock"),
    ]
    assert STRONG not in str(records) and new not in str(records)


def test_user_administration_answers_within_its_schema(ctx, clock, staff):  # type: ignore[no-untyped-def]
    """Schemathesis on /api/users… as a beheerder: no server error, every answer as the schema says."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    from trajectflow.app import create_app
    from trajectflow.services.tokens import issue_token

    app = create_app(ctx.settings, clock=clock)
    app.extensions["trajectflow"] = ctx
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {issue_token(ctx, ADMIN, 'fuzz', None).token}"}
    problems: list[str] = []
    seen: dict[int, int] = {}
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path.startswith("/api/users")]
    assert len(operations) == 8

    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=True)  # fmt: skip
        def run(case) -> None:  # type: ignore[no-untyped-def]
            case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            where = f"{case.method} {case.formatted_path} {str(case.body)[:200]}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code} {response.text[:300]}")
                return
            try:
                case.validate_response(response, excluded_checks=[positive_data_acceptance])
            except (Exception, BaseExceptionGroup) as err:  # noqa: BLE001 - a group of failed checks
                failures = getattr(err, "exceptions", [err])
                problems.extend(f"{where}: {type(f).__name__}: {str(f).splitlines()[0][:200]}" for f in failures)

        run()
    assert problems == [], "\n".join(problems)
    assert seen.get(200) and seen.get(404) and seen.get(422), seen  # lists, unknown accounts, refused input


def test_accounts_from_before_tenancy_get_their_unit_from_the_command_line(ctx):  # type: ignore[no-untyped-def]
    ensure_user(ctx, "oud", ["klantmanager"], None, "Account van voor de tenancy")  # no organisation yet
    env = {"TRAJECTFLOW_DATABASE_URL": database_url(ctx), "TRAJECTFLOW_DEMO": "0"}
    run = CliRunner().invoke
    assert run(cli, ["set-unit", "oud"], env=env).exit_code == 2  # neither given
    wrong = run(cli, ["set-unit", "oud", "--organisation", "nergens"], env=env)
    assert wrong.exit_code == 1 and "nergens" in wrong.output
    assert run(cli, ["set-unit", "oud", "--municipality", "leudal"], env=env).exit_code == 0
    assert "oud\tklantmanager\tleudal\tactive" in run(cli, ["list"], env=env).output
