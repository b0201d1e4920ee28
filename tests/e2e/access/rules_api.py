"""Access rules of the REST API (flask-smorest endpoint names)."""

from __future__ import annotations

from tests.conftest import FIXTURES
from tests.e2e import answers as a

from .rules import (
    BILLING,
    CASEWORK,
    DESIGNERS,
    EMPLOYER_STAFF,
    ENROLLERS,
    EVALUATORS,
    KLANTMANAGER,
    MIGRATORS,
    PROGRAMME_STAFF,
    TEAMLEIDER,
    Make,
    Rule,
    Target,
    only,
    owner_or,
    owner_or_their_admin,
    public,
    signed_in,
)
from .world import KVK, MARK, OWNER, PASSWORD, PROCESS, SYSTEM, World

PROBE_FILES = {"matrix_probe.bpmn": (FIXTURES / "modelers" / "bpmn_js.bpmn").read_text()}


def _m(municipality: str | None) -> str:
    assert municipality is not None
    return municipality


def case_of(world: World, m: str | None) -> Target:
    return Target({"case_id": world.sides[_m(m)].case_id})


def open_case_of(world: World, m: str | None) -> Target:
    return Target({"case_id": world.sides[_m(m)].open_case_id})


def fresh_case(purpose: str) -> Make:
    def target(world: World, m: str | None) -> Target:
        case_id, _task = world.once((purpose, m), lambda: world.fresh_case(_m(m)))
        return Target({"case_id": case_id}, json={"reason": f"matrix {purpose}"})

    return target


def fresh_task(purpose: str, json: object = None) -> Make:
    def target(world: World, m: str | None) -> Target:
        _case, task_id = world.once((purpose, m), lambda: world.fresh_case(_m(m)))
        return Target({"task_id": task_id}, json=json)

    return target


def claimed_task(world: World, m: str | None) -> Target:
    return Target({"task_id": world.once(("api unclaim", m), lambda: world.claimed_task(_m(m)))})


def reclaim(world: World, m: str | None) -> None:
    world.reclaim(claimed_task(world, m).values["task_id"], _m(m))


def suspended_case(world: World, m: str | None) -> Target:
    target = fresh_case("api resume")(world, m)
    world.set_suspended(target.values["case_id"], True)
    return target


def new_case_body(world: World, m: str | None) -> Target:
    client = {"bsn": world.new_bsn(_m(m)), "name": world.client_name(_m(m)), "birth_date": "1980-05-17"}
    return Target(json={"municipality": m, "client": client, "process_id": PROCESS})


def reassign(world: World, m: str | None) -> Target:
    target = fresh_task("api reassign")(world, m)
    return Target(target.values, json={"assignee": OWNER[_m(m)], "reason": "matrix"})


def bulk_reassign(world: World, m: str | None) -> Target:
    _case, task_id = world.once(("api bulk", m), lambda: world.fresh_case(_m(m)))
    return Target(json={"task_ids": [task_id], "assignee": OWNER[_m(m)], "reason": "matrix"})


def enrol(world: World, m: str | None) -> Target:
    case_id, _task = world.once(("api enrol", m), lambda: world.fresh_case(_m(m)))
    return Target({"programme_id": world.programme_id}, json={"case_id": case_id})


def evaluation(world: World, m: str | None) -> Target:
    note = f"API-evaluatie {MARK[_m(m)]}"
    body = {"date": world.today().isoformat(), "outcome": "bijsturen", "note": note}
    return Target({"plan_id": world.sides[_m(m)].plan_id}, json=body)


def employer_body(world: World, kvk: str | None = None) -> dict[str, object]:
    return {"name": "Bakkerij Jansen", "kvk_number": kvk or f"{70_000_000 + world.number()}", "sector": "voeding"}


def programme_body(world: World, m: str | None) -> Target:
    number = world.number()
    body = {
        "code": f"matrix-{number}",
        "name": f"Matrix {number}",
        "start_date": world.today().isoformat(),
        "end_date": (world.today().replace(year=world.today().year + 1)).isoformat(),
        "municipalities": ["roermond"],
        "target_residents_to_work": 10,
        "target_employers_with_workplace": 10,
    }
    return Target(json=body)


def pin(world: World, m: str | None) -> Target:
    return Target({"process_id": PROCESS, "municipality": m}, json={"version": 1})


def repin(world: World, m: str | None) -> None:
    from trajectflow.services.pins import pin_version

    pin_version(world.ctx, SYSTEM, PROCESS, _m(m), 1)


def report(key: str, file_format: str | None = None) -> Make:
    def target(world: World, m: str | None) -> Target:
        values = {"key": key} if file_format is None else {"key": key, "file_format": file_format}
        return Target(values)

    return target


PER_M = {"per_municipality": True}
LARGE = "page_size=500"

API_RULES: dict[str, dict[str, Rule]] = {
    "api-docs.openapi_json": {"GET": public()},
    "api-docs.openapi_swagger_ui": {"GET": public()},
    "api_auth.SignIn": {
        "POST": public(lambda w, m: Target(json={"username": "klantmanager", "password": PASSWORD, "name": "matrix"}))
    },
    "api_auth.Me": {"GET": signed_in()},
    "api_auth.Tokens": {
        "GET": signed_in(),
        "POST": signed_in(lambda w, m: Target(json={"name": "matrix", "expires_in_days": 1})),
    },
    # Your own tokens; a functioneel beheerder also those of the accounts of their organisation or municipality.
    "api_auth.Token": {
        "DELETE": only(
            owner_or_their_admin, lambda w, m: Target({"token_id": w.sides[_m(m)].token_id}), tenancy=False, **PER_M
        )
    },
    # Lists: one page as large as allowed, so whatever leaks is on it.
    "cases.Cases": {"GET": signed_in(lambda w, m: Target(query=LARGE)), "POST": only(CASEWORK, new_case_body, **PER_M)},
    # `?reveal=bsn` shows the full BSN: the most a caller gets from this endpoint.
    "cases.CaseDetail": {"GET": signed_in(lambda w, m: Target(case_of(w, m).values, query="reveal=bsn"), **PER_M)},
    "cases.CaseHistory": {"GET": signed_in(case_of, **PER_M)},
    "supervision.Cancel": {"POST": only(TEAMLEIDER, fresh_case("api cancel"), **PER_M)},
    "supervision.Move": {
        "POST": only(
            TEAMLEIDER,
            lambda w, m: Target(
                fresh_case("api move")(w, m).values,
                json={"to_element_id": "brede_intake", "reason": "matrix"},
            ),
            **PER_M,
        )
    },
    "supervision.MoveTargets": {"GET": only(TEAMLEIDER, open_case_of, **PER_M)},
    "supervision.Resume": {
        "POST": only(
            TEAMLEIDER,
            suspended_case,
            prepare=lambda w, m: w.set_suspended(suspended_case(w, m).values["case_id"], True),
            **PER_M,
        )
    },
    "supervision.Retry": {"POST": only(TEAMLEIDER, fresh_case("api retry"), **PER_M)},
    "supervision.Suspend": {
        "POST": only(
            TEAMLEIDER,
            fresh_case("api suspend"),
            prepare=lambda w, m: w.set_suspended(fresh_case("api suspend")(w, m).values["case_id"], False),
            **PER_M,
        )
    },
    "supervision.Reassign": {"POST": only(TEAMLEIDER, reassign, **PER_M)},
    "supervision.BulkReassign": {"POST": only(TEAMLEIDER, bulk_reassign, **PER_M)},
    "employers.Plans": {"GET": signed_in()},
    "employers.PlanDetail": {"GET": signed_in(lambda w, m: Target({"plan_id": w.sides[_m(m)].plan_id}), **PER_M)},
    "employers.PlanEvaluations": {"POST": only(EVALUATORS, evaluation, **PER_M)},
    # The employer registry is shared by every organisation; the placements and plans inside it are not.
    "employers.Employers": {
        "GET": signed_in(),
        "POST": only(EMPLOYER_STAFF, lambda w, m: Target(json=employer_body(w))),
    },
    "employers.EmployerDetail": {
        "GET": signed_in(lambda w, m: Target({"employer_id": w.employer_id})),
        "PUT": only(EMPLOYER_STAFF, lambda w, m: Target({"employer_id": w.employer_id}, json=employer_body(w, KVK))),
    },
    "employers.Workplaces": {
        "POST": only(EMPLOYER_STAFF, lambda w, m: Target({"employer_id": w.employer_id}, json={"description": "Plek"}))
    },
    "employers.WorkplaceStatus": {
        "POST": only(EMPLOYER_STAFF, lambda w, m: Target({"workplace_id": w.workplace_id}, json={"status": "open"}))
    },
    "kpis.Kpis": {"GET": only(TEAMLEIDER, aggregates=True)},
    "kpis.KpiFile": {"GET": only(TEAMLEIDER, report("municipalities", "csv"), aggregates=True)},
    "kpis.Billing": {"GET": only(BILLING, aggregates=True)},
    "notifications.Notifications": {"GET": signed_in()},
    "notifications.MarkRead": {
        "POST": only(owner_or(), lambda w, m: Target({"notification_id": w.sides[_m(m)].notification_id}), **PER_M)
    },
    "processes.Processes": {"GET": signed_in()},
    "processes.Deployments": {"GET": signed_in()},
    "processes.Validate": {"POST": only(DESIGNERS, lambda w, m: Target(json={"files": PROBE_FILES}))},
    "processes.Deploy": {"POST": only(DESIGNERS, lambda w, m: Target(json={"files": PROBE_FILES}))},
    "processes.Migrate": {
        "POST": only(
            MIGRATORS,
            lambda w, m: Target({"process_id": PROCESS}, json={"from_version": 1, "to_version": 1, "dry_run": True}),
        )
    },
    "processes.Pins": {"GET": signed_in(lambda w, m: Target({"process_id": PROCESS}))},
    # A pin decides the version of a municipality's new cases: only for municipalities the designer serves.
    "processes.Pin": {"PUT": only(DESIGNERS, pin, **PER_M), "DELETE": only(DESIGNERS, pin, prepare=repin, **PER_M)},
    "programmes.Programmes": {"GET": signed_in(), "POST": only(PROGRAMME_STAFF, programme_body)},
    "programmes.ProgrammeProgress": {"GET": signed_in(lambda w, m: Target({"programme_id": w.programme_id}))},
    "programmes.Enrolments": {"POST": only(ENROLLERS, enrol, **PER_M)},
    "supervision_reports.Stuck": {"GET": only(TEAMLEIDER)},
    "supervision_reports.Workload": {"GET": only(TEAMLEIDER)},
    "supervision_reports.Heatmap": {"GET": only(TEAMLEIDER, lambda w, m: Target({"process_id": PROCESS}))},
    "supervision_reports.Report": {"GET": only(TEAMLEIDER, report("municipalities"), aggregates=True)},
    "supervision_reports.ReportFile": {"GET": only(TEAMLEIDER, report("municipalities", "csv"), aggregates=True)},
    "tasks.Tasks": {"GET": signed_in(lambda w, m: Target(query=LARGE))},
    "tasks.TaskDetail": {"GET": signed_in(lambda w, m: Target({"task_id": w.sides[_m(m)].open_task_id}), **PER_M)},
    # Only holders of the task's role (the world's open tasks are the klantmanager's) may claim or complete it.
    "tasks.Claim": {"POST": only(KLANTMANAGER, fresh_task("api claim"), **PER_M)},
    "tasks.Complete": {"POST": only(KLANTMANAGER, fresh_task("api complete", {"data": a.AANV_OK}), **PER_M)},
    # Whoever claimed it (the municipality's own klantmanager) or a teamleider may release a task.
    "tasks.Unclaim": {"POST": only(owner_or("teamleider"), claimed_task, prepare=reclaim, **PER_M)},
}
