"""Drives a case through the REST API the way caseworkers do: find the task, claim it, complete it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.conftest import LiveServer
from trajectflow.domain.clock import FixedClock
from trajectflow.services.context import ServiceContext
from trajectflow.services.timers import fire_due_timers


class CaseDriver:
    def __init__(self, server: LiveServer, ctx: ServiceContext, clock: FixedClock, case_id: int) -> None:
        self.server, self.ctx, self.clock, self.case_id = server, ctx, clock, case_id

    @classmethod
    def start(
        cls,
        server: LiveServer,
        ctx: ServiceContext,
        clock: FixedClock,
        *,
        bsn: str,
        birth_date: str,
        name: str = "Test Cliënt",
        municipality: str = "roermond",
    ) -> CaseDriver:
        response = server.request(
            "POST",
            "/api/cases",
            user="klantmanager",
            json={"municipality": municipality, "client": {"bsn": bsn, "name": name, "birth_date": birth_date}},
        )
        assert response.status_code == 201, response.text
        return cls(server, ctx, clock, response.json()["id"])

    def case(self) -> dict[str, Any]:
        response = self.server.request("GET", f"/api/cases/{self.case_id}", user="teamleider")
        assert response.status_code == 200, response.text
        return response.json()

    def history(self) -> list[dict[str, Any]]:
        response = self.server.request("GET", f"/api/cases/{self.case_id}/history", user="teamleider")
        assert response.status_code == 200, response.text
        return response.json()

    def open_task(self) -> dict[str, Any]:
        response = self.server.request("GET", f"/api/tasks?case_id={self.case_id}&status=open", user="teamleider")
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 1, f"expected one open task, got {[t['element_id'] for t in items]}"
        return items[0]

    def complete(self, element_id: str, answer: dict[str, Any], phase: str | None = None) -> dict[str, Any]:
        task = self.open_task()
        assert task["element_id"] == element_id, f"expected {element_id}, open is {task['element_id']}"
        if phase is not None:
            assert task["phase"] == phase
            assert self.case()["phase"] == phase
        user = task["candidate_group"]
        claimed = self.server.request("POST", f"/api/tasks/{task['id']}/claim", user=user)
        assert claimed.status_code == 200, claimed.text
        assert claimed.json()["assignee"] == user
        done = self.server.request("POST", f"/api/tasks/{task['id']}/complete", user=user, json={"data": answer})
        assert done.status_code == 200, done.text
        after = self.server.request("GET", f"/api/tasks/{task['id']}", user=user).json()
        assert after["status"] == "completed" and after["completed_by"] == user
        return done.json()

    def wait_for_timer(self, element_id: str) -> None:
        """Move the clock to the timer's due time and let the service fire it."""
        timers = self.case()["waiting_timers"]
        matching = [t for t in timers if t["element_id"] == element_id]
        assert matching, f"no waiting timer {element_id}; waiting: {[t['element_id'] for t in timers]}"
        due = datetime.fromisoformat(matching[0]["due_at"])
        assert due > self.clock.now()
        fired_before = self._fired(element_id)
        self.clock.set(due + timedelta(seconds=1))
        assert fire_due_timers(self.ctx) >= 1
        assert self._fired(element_id) == fired_before + 1

    def _fired(self, element_id: str) -> int:
        return sum(1 for e in self.history() if e["kind"] == "timer_fired" and e["element_id"] == element_id)
