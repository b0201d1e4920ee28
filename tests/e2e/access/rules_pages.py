"""Access rules of the pages (blueprint endpoint names) and the operational endpoints outside /api."""

from __future__ import annotations

from collections.abc import Callable

from .rules import (
    CASEWORK,
    DESIGNERS,
    EMPLOYER_STAFF,
    ENROLLERS,
    EVALUATORS,
    KLANTMANAGER,
    MIGRATORS,
    TEAMLEIDER,
    Make,
    Rule,
    Target,
    only,
    owner_or,
    public,
    signed_in,
)
from .rules_api import PROBE_FILES, _m, case_of
from .world import KVK, MARK, OWNER, PASSWORD, PROCESS, World


def fresh_task(purpose: str, data: dict[str, str] | None = None) -> Make:
    def target(world: World, m: str | None) -> Target:
        _case, task_id = world.once((purpose, m), lambda: world.fresh_case(_m(m)))
        return Target({"task_id": task_id}, data=data or {})

    return target


def fresh_case(purpose: str, data: dict[str, str] | None = None) -> Make:
    def target(world: World, m: str | None) -> Target:
        case_id, _task = world.once((purpose, m), lambda: world.fresh_case(_m(m)))
        return Target({"case_id": case_id}, data={"reason": f"matrix {purpose}", **(data or {})})

    return target


def claimed_task(world: World, m: str | None) -> Target:
    return Target({"task_id": world.once(("page unclaim", m), lambda: world.claimed_task(_m(m)))}, data={})


def reclaim(world: World, m: str | None) -> None:
    world.reclaim(claimed_task(world, m).values["task_id"], _m(m))


def suspended(purpose: str, value: bool) -> Callable[[World, str | None], None]:
    def prepare(world: World, m: str | None) -> None:
        world.set_suspended(fresh_case(purpose)(world, m).values["case_id"], value)

    return prepare


def melding(world: World, m: str | None) -> Target:
    form = {
        "bsn": world.new_bsn(_m(m)),
        "name": world.client_name(_m(m)),
        "birth_date": "17-05-1980",
        "municipality": _m(m),
        "process_id": PROCESS,
    }
    return Target(data=form)


def reassign(world: World, m: str | None) -> Target:
    target = fresh_task("page reassign")(world, m)
    return Target(target.values, data={"assignee": OWNER[_m(m)], "reason": "matrix"})


def reassign_bulk(world: World, m: str | None) -> Target:
    _case, task_id = world.once(("page bulk", m), lambda: world.fresh_case(_m(m)))
    return Target(data={"task_ids": str(task_id), "assignee": OWNER[_m(m)], "reason": "matrix"})


def enrol(world: World, m: str | None) -> Target:
    case_id, _task = world.once(("page enrol", m), lambda: world.fresh_case(_m(m)))
    return Target({"programme_id": world.programme_id}, data={"case_id": str(case_id)})


def enrol_chosen(world: World, m: str | None) -> Target:
    case_id, _task = world.once(("page enrol chosen", m), lambda: world.fresh_case(_m(m)))
    return Target(data={"programme_id": str(world.programme_id), "case_id": str(case_id)})


def evaluation(world: World, m: str | None) -> Target:
    form = {"date": world.today().isoformat(), "outcome": "op_koers", "note": f"Pagina-evaluatie {MARK[_m(m)]}"}
    return Target({"plan_id": world.sides[_m(m)].plan_id}, data=form)


def employer(world: World, kvk: str | None = None) -> dict[str, str]:
    return {"name": "Bakkerij Jansen", "kvk_number": kvk or str(80_000_000 + world.number()), "sector": "voeding"}


def version_of(process_id: str) -> Make:
    return lambda w, m: Target({"process_id": process_id, "version": 1})


PER_M = {"per_municipality": True}
REPORT_FILE = Target({"key": "municipalities", "file_format": "csv"})

PAGE_RULES: dict[str, dict[str, Rule]] = {
    "static": {"GET": public(lambda w, m: Target({"filename": "app.css"}))},
    "health.healthz": {"GET": public()},
    "health.readyz": {"GET": public()},
    "metrics": {"GET": public()},
    "auth.login": {
        "GET": public(),
        "POST": public(lambda w, m: Target(data={"username": "klantmanager", "password": PASSWORD}, isolated=True)),
    },
    "auth.logout": {"POST": public(lambda w, m: Target(data={}, isolated=True))},
    "i18n.switch_language": {"POST": public(lambda w, m: Target(data={"lang": "en"}, isolated=True))},
    "worklist.index": {"GET": signed_in(lambda w, m: Target(query="view=groups&page_size=100"))},
    "worklist.save": {"POST": signed_in(lambda w, m: Target(data={"name": "Matrix", "view": "groups"}))},
    # Saved filters are personal (shared ones too): only the owner deletes one.
    "worklist.delete": {
        "POST": only(
            owner_or(), lambda w, m: Target({"filter_id": w.sides[_m(m)].filter_id}, data={}), tenancy=False, **PER_M
        )
    },
    "dossier.show": {"GET": signed_in(case_of, **PER_M)},
    "dossier.diagram": {"GET": signed_in(case_of, **PER_M)},
    "dossier.note": {
        "POST": signed_in(lambda w, m: Target(case_of(w, m).values, data={"body": f"Pagina {MARK[_m(m)]}"}), **PER_M)
    },
    "melding.new": {"GET": only(CASEWORK)},
    "melding.create": {"POST": only(CASEWORK, melding, **PER_M)},
    "task_page.show": {"GET": signed_in(lambda w, m: Target({"task_id": w.sides[_m(m)].open_task_id}), **PER_M)},
    "task_page.submit": {
        "POST": only(KLANTMANAGER, fresh_task("page draft", {"_action": "save", "besluit": "toegekend"}), **PER_M)
    },
    "task_page.claim": {"POST": only(KLANTMANAGER, fresh_task("page claim"), **PER_M)},
    "task_page.unclaim": {"POST": only(owner_or("teamleider"), claimed_task, prepare=reclaim, **PER_M)},
    "supervisor.stuck": {"GET": only(TEAMLEIDER)},
    "supervisor.workload_page": {"GET": only(TEAMLEIDER, lambda w, m: Target(query="role=klantmanager"))},
    "supervisor.heatmap_page": {"GET": only(TEAMLEIDER)},
    "supervisor.heatmap_data": {"GET": only(TEAMLEIDER)},
    "supervisor.reports_page": {"GET": only(TEAMLEIDER)},
    "supervisor.report_download": {"GET": only(TEAMLEIDER, lambda w, m: REPORT_FILE, aggregates=True)},
    "supervisor.case": {"GET": only(TEAMLEIDER, case_of, **PER_M)},
    "supervisor.reassign": {"POST": only(TEAMLEIDER, reassign, **PER_M)},
    "supervisor.reassign_bulk": {"POST": only(TEAMLEIDER, reassign_bulk, **PER_M)},
    "supervisor.retry": {"POST": only(TEAMLEIDER, fresh_case("page retry"), **PER_M)},
    "supervisor.cancel": {"POST": only(TEAMLEIDER, fresh_case("page cancel"), **PER_M)},
    "supervisor.suspend": {
        "POST": only(TEAMLEIDER, fresh_case("page suspend"), prepare=suspended("page suspend", False), **PER_M)
    },
    "supervisor.resume": {
        "POST": only(TEAMLEIDER, fresh_case("page resume"), prepare=suspended("page resume", True), **PER_M)
    },
    "supervisor.move": {
        "POST": only(TEAMLEIDER, fresh_case("page move", {"to_element_id": "brede_intake"}), **PER_M),
    },
    "designer.index": {"GET": only(DESIGNERS)},
    "designer.modeler": {"GET": only(DESIGNERS, version_of(PROCESS))},
    "designer.sources": {"GET": only(DESIGNERS, version_of(PROCESS))},
    "designer.decision_tables": {"GET": only(DESIGNERS, version_of(PROCESS))},
    "designer.validate": {"POST": only(DESIGNERS, lambda w, m: Target(json={"files": PROBE_FILES}))},
    "designer.deploy": {"POST": only(DESIGNERS, lambda w, m: Target(json={"files": PROBE_FILES}))},
    "designer.migrate": {
        "GET": only(MIGRATORS),
        "POST": only(
            MIGRATORS, lambda w, m: Target(data={"process_id": PROCESS, "from_version": "1", "to_version": "1"})
        ),
    },
    "employer_pages.index": {"GET": signed_in()},
    "employer_pages.new": {"GET": signed_in()},
    "employer_pages.detail": {"GET": signed_in(lambda w, m: Target({"employer_id": w.employer_id}))},
    "employer_pages.edit": {"GET": signed_in(lambda w, m: Target({"employer_id": w.employer_id}))},
    "employer_pages.create": {"POST": only(EMPLOYER_STAFF, lambda w, m: Target(data=employer(w)))},
    "employer_pages.update": {
        "POST": only(EMPLOYER_STAFF, lambda w, m: Target({"employer_id": w.employer_id}, data=employer(w, KVK)))
    },
    "employer_pages.add_place": {
        "POST": only(
            EMPLOYER_STAFF,
            lambda w, m: Target({"employer_id": w.employer_id}, data={"description": "Plek", "hours_per_week": "24"}),
        )
    },
    "employer_pages.place_status": {
        "POST": only(
            EMPLOYER_STAFF,
            lambda w, m: Target(
                {"employer_id": w.employer_id, "workplace_id": w.workplace_id}, data={"status": "open"}
            ),
        )
    },
    "employer_pages.evaluate": {"POST": only(EVALUATORS, evaluation, **PER_M)},
    "employer_pages.programmes": {"GET": signed_in()},
    "employer_pages.programme": {"GET": signed_in(lambda w, m: Target({"programme_id": w.programme_id}))},
    "employer_pages.enrol": {"POST": only(ENROLLERS, enrol, **PER_M)},
    "employer_pages.enrol_chosen": {"POST": only(ENROLLERS, enrol_chosen, **PER_M)},
}
