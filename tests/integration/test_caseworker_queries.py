"""Services behind the caseworker pages, on SQLite and PostgreSQL: worklist, saved filters, drafts,
notes, dossier (ladder history) and the diagram's element states."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import ROOT
from tests.e2e import answers as a
from trajectflow.domain.cases import Actor
from trajectflow.domain.errors import Conflict, Forbidden, ValidationFailed
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.dossier import case_diagram, case_dossier
from trajectflow.services.drafts import discard_drafts, get_draft, save_draft
from trajectflow.services.notes import add_note, list_notes
from trajectflow.services.queries import TaskFilter, list_tasks
from trajectflow.services.saved_filters import delete_filter, list_filters, save_filter
from trajectflow.services.tasks import claim_task, complete_task
from trajectflow.services.users import authenticate, ensure_user
from trajectflow.services.worklist import WorklistFilter, count, view_counts, worklist

KM = Actor("klantmanager", frozenset({"klantmanager"}))
KM2 = Actor("km2", frozenset({"klantmanager"}))
WGA = Actor("werkgeversadviseur", frozenset({"werkgeversadviseur"}))


@pytest.fixture
def deployed_ctx(ctx):  # type: ignore[no-untyped-def]
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    return ctx


def _start(ctx, bsn: str, name: str, municipality: str = "roermond") -> int:  # type: ignore[no-untyped-def]
    client = ClientInput(bsn=bsn, name=name, birth_date=date(1980, 1, 1))
    return start_case(ctx, KM, "participatie_traject", municipality, client)


def _open_task(ctx, case_id: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    (task,) = list_tasks(ctx, TaskFilter(case_id=case_id, status="open")).items
    return task


def _complete(ctx, case_id: int, element_id: str, data: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    task = _open_task(ctx, case_id)
    assert task["element_id"] == element_id
    actor = Actor(task["candidate_group"], frozenset({task["candidate_group"]}))
    complete_task(ctx, actor, task["id"], data)


def test_worklist_views_filters_counts_and_paging(deployed_ctx, clock):  # type: ignore[no-untyped-def]
    ctx = deployed_ctx
    first = _start(ctx, "100000034", "Els de Wit")
    second = _start(ctx, "111222333", "Piet Bos", municipality="leudal")
    third = _start(ctx, "123456782", "Anna Smit")
    claim_task(ctx, KM, _open_task(ctx, first)["id"])

    assert [t["case_id"] for t in worklist(ctx, KM, WorklistFilter(view="mine")).items] == [first]
    groups = worklist(ctx, KM, WorklistFilter(view="groups", sort="client"))
    assert [t["client"]["name"] for t in groups.items] == ["Anna Smit", "Piet Bos"]
    assert groups.items[0]["client"]["bsn"] == "******782"
    assert worklist(ctx, KM2, WorklistFilter(view="mine")).total == 0
    assert worklist(ctx, WGA, WorklistFilter(view="groups")).total == 0

    assert count(ctx, KM, WorklistFilter(view="groups", municipality="leudal")) == 1
    assert count(ctx, KM, WorklistFilter(view="groups", client="bos")) == 1
    assert [t["case_id"] for t in worklist(ctx, KM, WorklistFilter(view="groups", client="3")).items] == [third]
    assert count(ctx, KM, WorklistFilter(view="groups", client="111222333")) == 1
    assert count(ctx, KM, WorklistFilter(view="groups", task_name="100%_")) == 0
    assert count(ctx, KM, WorklistFilter(view="groups", task_name="aanvraag", phase="aanvraag")) == 2

    due = _open_task(ctx, second)["due_at"]
    assert count(ctx, KM, WorklistFilter(view="groups", due_from=due.date(), due_to=due.date())) == 2
    assert count(ctx, KM, WorklistFilter(view="groups", due_from=due.date() + timedelta(days=2))) == 0
    assert view_counts(ctx, KM, WorklistFilter()) == {"mine": 1, "groups": 2, "overdue": 0, "week": 0}

    clock.set(due + timedelta(days=1))
    assert view_counts(ctx, KM, WorklistFilter()) == {"mine": 1, "groups": 2, "overdue": 3, "week": 0}
    clock.set(due - timedelta(hours=1))
    assert view_counts(ctx, KM, WorklistFilter())["week"] == 3

    paged = worklist(ctx, KM, WorklistFilter(view="overdue", page=2, page_size=2))
    assert paged.total == 0 or len(paged.items) <= 2
    page_two = worklist(ctx, KM, WorklistFilter(view="week", page=2, page_size=2))
    assert page_two.total == 3 and len(page_two.items) == 1


def test_filter_from_params_ignores_junk():  # type: ignore[no-untyped-def]
    parsed = WorklistFilter.from_params({"view": "x", "sort": "drop", "due_from": "31-02", "page": "-1", "evil": "1"})
    assert parsed == WorklistFilter()
    kept = WorklistFilter.from_params({"view": "overdue", "due_to": "2026-03-09", "page_size": "1000"})
    assert kept.view == "overdue" and kept.due_to == date(2026, 3, 9) and kept.page_size == 100
    assert kept.params() == {"view": "overdue", "due_to": "2026-03-09", "sort": "due"}


def test_saved_filters_personal_and_shared_with_a_team(deployed_ctx):  # type: ignore[no-untyped-def]
    ctx = deployed_ctx
    mine = save_filter(ctx, KM, "Leudal", {"view": "groups", "municipality": "leudal", "page": "3"})
    shared = save_filter(ctx, KM, "Team te laat", {"view": "overdue"}, team="klantmanager")
    with pytest.raises(Forbidden):
        save_filter(ctx, KM, "Werkgevers", {}, team="werkgeversadviseur")
    with pytest.raises(ValidationFailed):
        save_filter(ctx, KM, "  ", {})
    assert [(f["name"], f["own"]) for f in list_filters(ctx, KM)] == [("Leudal", True), ("Team te laat", True)]
    assert list_filters(ctx, KM)[0]["params"] == {"view": "groups", "municipality": "leudal", "sort": "due"}
    assert [(f["id"], f["own"]) for f in list_filters(ctx, KM2)] == [(shared, False)]
    assert list_filters(ctx, WGA) == []
    with pytest.raises(Forbidden):
        delete_filter(ctx, KM2, shared)
    delete_filter(ctx, KM, mine)
    assert [f["id"] for f in list_filters(ctx, KM)] == [shared]


def test_drafts_belong_to_their_user_and_respect_claims(deployed_ctx):  # type: ignore[no-untyped-def]
    ctx = deployed_ctx
    case_id = _start(ctx, "100000034", "Els de Wit")
    task_id = _open_task(ctx, case_id)["id"]
    save_draft(ctx, KM, task_id, {"besluit": "toegekend"})
    save_draft(ctx, KM, task_id, {"besluit": "afgewezen"})
    assert get_draft(ctx, KM, task_id)["data"] == {"besluit": "afgewezen"}  # type: ignore[index]
    assert get_draft(ctx, KM2, task_id) is None
    with pytest.raises(Forbidden):
        save_draft(ctx, WGA, task_id, {})
    claim_task(ctx, KM, task_id)
    with pytest.raises(Conflict):
        save_draft(ctx, KM2, task_id, {})
    discard_drafts(ctx, task_id)
    assert get_draft(ctx, KM, task_id) is None


def test_dossier_notes_ladder_and_diagram_states(deployed_ctx):  # type: ignore[no-untyped-def]
    ctx = deployed_ctx
    case_id = _start(ctx, "100000034", "Els de Wit")
    start = case_diagram(ctx, case_id)
    assert start["active"] == ["aanvraag_beoordelen"] and start["completed"] == []
    assert start["waiting"] == ["beslistermijn"] and 'id="participatie_traject"' in start["xml"]

    _complete(ctx, case_id, "aanvraag_beoordelen", a.AANV_OK)
    _complete(ctx, case_id, "brede_intake", a.intake(2))
    _complete(ctx, case_id, "diagnose", a.diagnose("volledig", "laag", False))
    _complete(ctx, case_id, "plan_van_aanpak", a.PVA)
    inside = _open_task(ctx, case_id)
    assert inside["process_id"] == "ontwikkeling"
    diagram = case_diagram(ctx, case_id)
    assert diagram["active"] == ["route_ontwikkeling"]
    assert {"aanvraag_beoordelen", "brede_intake", "diagnose", "plan_van_aanpak"} <= set(diagram["completed"])

    add_note(ctx, KM, case_id, "  Cliënt belt terug  ")
    with pytest.raises(ValidationFailed):
        add_note(ctx, KM, case_id, " ")
    assert [n["body"] for n in list_notes(ctx, case_id)] == ["Cliënt belt terug"]

    dossier = case_dossier(ctx, KM, case_id)
    assert dossier["client"]["bsn"] == "******034" and dossier["client"]["birth_date"] == date(1980, 1, 1)
    assert [m["rung"] for m in dossier["ladder"]] == [2]
    assert [t["element_id"] for t in dossier["completed_tasks"]][:2] == ["aanvraag_beoordelen", "brede_intake"]
    assert dossier["history"][-1]["kind"] == "note_added"


def test_authenticate_checks_the_argon2_hash(ctx):  # type: ignore[no-untyped-def]
    from trajectflow.domain.errors import Unauthenticated

    ensure_user(ctx, "anna", ["klantmanager"], "geheim-wachtwoord", "Anna")
    ensure_user(ctx, "zonder", ["klantmanager"], None, "Zonder wachtwoord")
    assert authenticate(ctx, "anna", "geheim-wachtwoord") == Actor("anna", frozenset({"klantmanager"}))
    for username, password in (("anna", "fout"), ("niemand", "x"), ("zonder", "")):
        with pytest.raises(Unauthenticated):
            authenticate(ctx, username, password)
