"""A known, generated set of cases for the KPI tests: plain specs first, then the rows they become.

The specs are what the tests compute expected numbers from; the rows are what the KPI module reads.
Seeded, so every run builds the same world.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from trajectflow.services.context import ServiceContext
from trajectflow.store.models import Case, CaseEvent, Client, ProcessVersion, Programme, ProgrammeEnrolment, Task

MUNICIPALITIES = ["roermond", "leudal", "echt-susteren", "oude-ijsselstreek", "berkelland"]
ROUTES = ["werk", "ontwikkeling", "beschut_werk", "meedoen"]
REASONS = ["werk", "opleiding", "verhuisd", "overig"]
ROLES = ["klantmanager", "jobcoach", "werkgeversadviseur"]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)


@dataclass
class CaseSpec:
    municipality: str
    started: datetime
    phases: list[tuple[str, datetime]] = field(default_factory=list)
    routes: list[tuple[str, datetime]] = field(default_factory=list)
    answers: list[tuple[str, dict[str, Any], datetime]] = field(default_factory=list)
    open_tasks: list[tuple[str, datetime]] = field(default_factory=list)
    closed_at: datetime | None = None
    enrolled: bool = False

    @property
    def route(self) -> str | None:
        return self.routes[-1][0] if self.routes else None

    @property
    def phase(self) -> str:
        return self.phases[-1][0]

    def answer(self, field_name: str) -> list[tuple[Any, datetime]]:
        return [(data[field_name], at) for _form, data, at in self.answers if field_name in data]


def generate(seed: int = 2026, count: int = 40) -> list[CaseSpec]:
    rng = random.Random(seed)
    specs = []
    for _ in range(count):
        t = BASE + timedelta(days=rng.randint(0, 300), hours=rng.randint(0, 8))
        spec = CaseSpec(rng.choice(MUNICIPALITIES), t)
        spec.phases.append(("aanvraag", t))
        t += timedelta(days=rng.randint(1, 20))
        spec.phases.append(("intake", t))
        t += timedelta(days=rng.randint(1, 15), hours=rng.randint(0, 12))
        spec.answers.append(("brede_intake.json", {"ladder_trede": rng.randint(1, 5)}, t))
        spec.phases.append(("diagnose", t))
        t += timedelta(days=rng.randint(1, 10))
        for _turn in range(rng.choice([1, 1, 2])):
            route = rng.choice(ROUTES)
            spec.routes.append((route, t))
            spec.phases.append((route, t))
            t += timedelta(days=rng.randint(10, 90))
            if route == "ontwikkeling" and rng.random() < 0.7:
                items = [{"instrument": rng.choice(["werkervaringsplaats", "taaltraject", "jobcoaching"])}]
                spec.answers.append(("instrumenten.json", {"ingezette_instrumenten": items}, t))
                t += timedelta(days=rng.randint(1, 30))
                spec.answers.append(("ontwikkeling_evaluatie.json", {"ladder_trede": rng.randint(1, 6)}, t))
            if route == "werk":
                spec.answers.append(("proefplaatsing.json", {"proefplaatsing_startdatum": "2026-01-01"}, t))
                spec.answers.append(("lks_besluit.json", {"lks_toegekend": rng.random() < 0.6}, t))
                if rng.random() < 0.5:
                    spec.answers.append(("jobcoach_inzet.json", {"jobcoach_uren_per_week": 4}, t))
            if route == "beschut_werk":
                spec.answers.append(("plaatsing_beschut.json", {"werklocatie": "Westrom"}, t))
            t += timedelta(days=rng.randint(1, 20))
        if t < NOW and rng.random() < 0.6:
            reason = rng.choice(REASONS)
            answer: dict[str, Any] = {"uitstroom_reden": reason}
            if rng.random() < 0.5:
                answer["ladder_trede"] = rng.randint(3, 6)
            spec.phases.append(("uitstroom", t - timedelta(days=3)))
            spec.answers.append(("uitstroom.json", answer, t))
            spec.closed_at = t
            spec.phases.append(("afgesloten", t))
            check = t + timedelta(weeks=26)
            if reason == "werk" and check < NOW:
                spec.answers.append(("duurzaamheid.json", {"nog_uit_uitkering": rng.random() < 0.7}, check))
        else:
            spec.open_tasks.append((rng.choice(ROLES), NOW + timedelta(days=rng.randint(-20, 20))))
        spec.enrolled = spec.municipality == "oude-ijsselstreek" and rng.random() < 0.7
        specs.append(spec)
    return [s for s in specs if all(at <= NOW for _p, at in s.phases)]


def store(ctx: ServiceContext, specs: list[CaseSpec]) -> int:
    """Write the specs as clients, cases, tasks and history; returns the programme id they enrol in."""
    with ctx.uow() as uow:
        session = uow.session
        version_id = session.scalar(select(ProcessVersion.id).limit(1))
        programme = Programme(
            code="mw",
            name="Meedoen Werkt",
            start_date=BASE.date(),
            end_date=NOW.date(),
            municipalities=["oude-ijsselstreek"],
            target_residents_to_work=100,
            target_employers_with_workplace=100,
            enrolment_rule={},
            created_at=BASE,
        )
        session.add(programme)
        for number, spec in enumerate(specs):
            client = Client(
                bsn=f"{900000000 + number}",
                name=f"Cliënt {number}",
                birth_date=BASE.date(),
                municipality=spec.municipality,
                created_at=spec.started,
            )
            session.add(client)
            session.flush()
            case = Case(
                client_id=client.id,
                municipality=spec.municipality,
                process_version_id=version_id,
                status="completed" if spec.closed_at else "active",
                phase=spec.phase,
                route=spec.route,
                engine_state=b"",
                data={},
                started_at=spec.started,
                updated_at=spec.started,
                closed_at=spec.closed_at,
            )
            session.add(case)
            session.flush()
            _history(session, case.id, spec)
            for index, (form, data, at) in enumerate(spec.answers):
                session.add(_task(case.id, f"done-{index}", form, "completed", at, data=data))
            for index, (role, due) in enumerate(spec.open_tasks):
                session.add(_task(case.id, f"open-{index}", None, "open", spec.started, role=role, due=due))
            if spec.enrolled:
                session.add(ProgrammeEnrolment(programme_id=programme.id, case_id=case.id, enrolled_at=spec.started))
        uow.commit()
        return programme.id


def _history(session: Any, case_id: int, spec: CaseSpec) -> None:
    events = [(at, 0, "phase_changed", {"to": phase}) for phase, at in spec.phases]
    events += [(at, 1, "route_chosen", {"route": route}) for route, at in spec.routes]
    for at, _order, kind, details in sorted(events, key=lambda e: (e[0], e[1])):
        session.add(CaseEvent(case_id=case_id, at=at, kind=kind, message=kind, details=details))


def _task(case_id: int, engine_id: str, form: str | None, status: str, at: datetime, **extra: Any) -> Task:
    return Task(
        case_id=case_id,
        engine_task_id=engine_id,
        process_id="participatie_traject",
        element_id=engine_id,
        name=engine_id,
        form=form,
        role=extra.get("role"),
        status=status,
        created_at=at,
        completed_at=at if status == "completed" else None,
        submitted_data=extra.get("data"),
        due_at=extra.get("due"),
    )
