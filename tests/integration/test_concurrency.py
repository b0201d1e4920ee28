"""Many callers act on the same task at once: exactly one wins, the rest get Conflict, and the engine
state, the task table and the history still tell the same story."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import FIXTURES, STAFF_ORG
from trajectflow.domain.cases import Actor
from trajectflow.domain.errors import Conflict
from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.loading import load_instance
from trajectflow.services.tasks import claim_task, complete_task
from trajectflow.services.users import ensure_user
from trajectflow.store.models import Case, CaseEvent, Task

THREADS = 50
KM = Actor("klantmanager", frozenset({"klantmanager"}))


@pytest.fixture
def case_id(ctx) -> int:  # type: ignore[no-untyped-def]
    deploy_directory(ctx, FIXTURES / "loop", FIXTURES / "loop")
    client = ClientInput("111222333", "Test Cliënt", date(1990, 1, 1))
    return start_case(ctx, KM, "loop_proces", "roermond", client, data={"doel": 5})


def _open_task(ctx, case_id: int) -> int:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        (task_id,) = uow.session.scalars(select(Task.id).where(Task.case_id == case_id, Task.status == "open")).all()
        return task_id


def _all_at_once(action: Callable[[int], Any], count: int = THREADS) -> Counter[str]:
    """Run `action(i)` in `count` threads released together; count outcomes by kind."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait()
        try:
            action(index)
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as err:  # noqa: BLE001 - anything else is a failure to report
            outcome = f"{type(err).__name__}: {err}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)


def _story(ctx, case_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with ctx.uow(write=False) as uow:
        session = uow.session
        case = session.get(Case, case_id)
        _version, instance = load_instance(session, case)
        tasks = session.scalars(select(Task).where(Task.case_id == case_id).order_by(Task.id)).all()
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        return {
            "ready": sorted(t.engine_id for t in instance.ready_user_tasks()),
            "open": sorted(t.engine_task_id for t in tasks if t.status == "open"),
            "tasks": [(t.id, t.element_id, t.status, t.assignee, t.completed_by) for t in tasks],
            "events": Counter((e.kind, e.task_id) for e in events),
            "teller": case.data.get("teller"),
            "status": case.status,
        }


def test_one_of_many_simultaneous_completions_wins(ctx, case_id: int) -> None:  # type: ignore[no-untyped-def]
    task_id = _open_task(ctx, case_id)
    actors = [Actor(f"km{i}", frozenset({"klantmanager"})) for i in range(THREADS)]
    outcomes = _all_at_once(lambda i: complete_task(ctx, actors[i], task_id, {"opmerking": f"door {i}"}))
    assert outcomes == Counter({"ok": 1, "conflict": THREADS - 1}), outcomes
    story = _story(ctx, task_id and case_id)
    (first, second) = story["tasks"]
    assert first[0] == task_id and first[2] == "completed" and first[4] == first[3]
    assert second[1] == "stap" and second[2] == "open"
    assert story["ready"] == story["open"] and len(story["open"]) == 1
    assert story["events"][("task_completed", task_id)] == 1
    assert story["events"][("task_created", second[0])] == 1
    assert sum(n for (kind, _), n in story["events"].items() if kind == "task_created") == 2
    assert story["teller"] == 1 and story["status"] == "active"
    # The winner's data is the data the engine has.
    with ctx.uow(write=False) as uow:
        task = uow.session.get(Task, task_id)
        assert task.submitted_data == {"opmerking": f"door {task.completed_by.removeprefix('km')}"}
        assert uow.session.get(Case, case_id).data["opmerking"] == task.submitted_data["opmerking"]


def test_one_of_many_simultaneous_claims_wins(ctx, case_id: int) -> None:  # type: ignore[no-untyped-def]
    task_id = _open_task(ctx, case_id)
    actors = [Actor(f"km{i}", frozenset({"klantmanager"})) for i in range(THREADS)]
    outcomes = _all_at_once(lambda i: claim_task(ctx, actors[i], task_id))
    assert outcomes == Counter({"ok": 1, "conflict": THREADS - 1}), outcomes
    story = _story(ctx, case_id)
    ((_, _, status, assignee, _),) = story["tasks"]
    assert status == "open" and assignee is not None
    assert story["events"][("task_claimed", task_id)] == 1
    # Only the winner can complete it now.
    loser = next(a for a in actors if a.username != assignee)
    with pytest.raises(Conflict):
        complete_task(ctx, loser, task_id, {})
    complete_task(ctx, Actor(assignee, frozenset({"klantmanager"})), task_id, {})


def test_claims_and_completions_racing_each_other_stay_consistent(ctx, case_id: int) -> None:  # type: ignore[no-untyped-def]
    task_id = _open_task(ctx, case_id)
    actors = [Actor(f"km{i}", frozenset({"klantmanager"})) for i in range(THREADS)]

    def claim_or_complete(i: int) -> None:
        (claim_task(ctx, actors[i], task_id) if i % 2 else complete_task(ctx, actors[i], task_id, {}))

    outcomes = _all_at_once(claim_or_complete)
    assert set(outcomes) <= {"ok", "conflict"}, outcomes
    story = _story(ctx, case_id)
    completed = story["events"][("task_completed", task_id)]
    claimed = story["events"][("task_claimed", task_id)]
    # Whoever came first decides: a completion (which may follow its own claim) or one claim only.
    assert completed <= 1 and claimed <= 1 and outcomes["ok"] == completed + claimed
    assert story["ready"] == story["open"] and len(story["open"]) == 1
    assert story["teller"] == completed
    (first, *rest) = story["tasks"]
    assert first[2] == ("completed" if completed else "open") and len(rest) == completed


def test_simultaneous_completions_over_http_give_one_200_and_409s(server, ctx, case_id: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(THREADS):
        ensure_user(ctx, f"km{i}", ["klantmanager"], None, f"Klantmanager {i}", organisation=STAFF_ORG)
    task_id = _open_task(ctx, case_id)
    statuses: list[int] = []

    def post(i: int) -> None:
        response = server.request("POST", f"/api/tasks/{task_id}/complete", user=f"km{i}", json={"data": {}})
        assert response.headers["Content-Type"].startswith("application/json")
        statuses.append(response.status_code)

    outcomes = _all_at_once(post)
    assert outcomes == Counter({"ok": THREADS}), outcomes
    assert sorted(statuses) == [200] + [409] * (THREADS - 1)
    story = _story(ctx, case_id)
    assert story["events"][("task_completed", task_id)] == 1
    assert story["ready"] == story["open"] and len(story["open"]) == 1
    assert story["teller"] == 1 and [t[2] for t in story["tasks"]] == ["completed", "open"]


def test_many_caseworkers_on_many_cases_keep_every_acknowledged_completion(server, ctx) -> None:  # type: ignore[no-untyped-def]
    """Ten caseworkers over HTTP on twelve shared cases: only 200s and 409s (a colleague was first),
    never a deadlock or other server error, and every 200 is in the task table, history and state."""
    deploy_directory(ctx, FIXTURES / "loop", FIXTURES / "loop")
    client = ClientInput("111222333", "Test Cliënt", date(1990, 1, 1))
    cases = [start_case(ctx, KM, "loop_proces", "roermond", client, data={"doel": 10**6}) for _ in range(12)]
    workers = 10
    for i in range(workers):
        ensure_user(ctx, f"km{i}", ["klantmanager"], None, f"Klantmanager {i}", organisation=STAFF_ORG)
    acknowledged: dict[int, str] = {}
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def work(i: int) -> None:
        rnd = random.Random(i)
        for step in range(12):
            case = rnd.choice(cases)
            listed = server.request("GET", f"/api/tasks?case_id={case}&status=open", user=f"km{i}")
            (task,) = listed.json()["items"]
            marker = f"km{i} stap {step}"
            body = {"data": {"opmerking": marker}}
            response = server.request("POST", f"/api/tasks/{task['id']}/complete", user=f"km{i}", json=body)
            with lock:
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    acknowledged[task["id"]] = marker

    outcomes = _all_at_once(work, workers)
    assert outcomes == Counter({"ok": workers}), outcomes
    assert set(statuses) <= {200, 409} and statuses[200] == len(acknowledged), statuses
    with ctx.uow(write=False) as uow:
        done = uow.session.scalars(select(Task).where(Task.case_id.in_(cases), Task.status == "completed")).all()
    assert {t.id: (t.submitted_data or {}).get("opmerking") for t in done} == acknowledged
    for case in cases:
        story = _story(ctx, case)
        completed = sum(1 for t in story["tasks"] if t[2] == "completed")
        assert story["ready"] == story["open"] and len(story["open"]) == 1
        events = sum(n for (kind, _), n in story["events"].items() if kind == "task_completed")
        assert story["teller"] == completed == events
