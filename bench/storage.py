"""Stored engine state per case versus what SpiffWorkflow's stock serializer would store.

One case walks the benchmark route on SQLite; after the start and after every step (task
completed or timer fired), so in every phase it passes, we read the stored `cases.engine_state`
(spec-free, zlib-compressed JSON) and compute `default_serializer_size` of the same workflow
(stock serializer: spec embedded, plain JSON). The figures are the means over those samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from trajectflow.engine.serializer import default_serializer_size
from trajectflow.services.loading import load_instance
from trajectflow.services.tasks import complete_task
from trajectflow.store.models import Case

from .database import BenchDatabase
from .route import answer_for
from .service import actor_for, drive_case, start_route_case


@dataclass(frozen=True)
class StateSize:
    phase: str
    stored: int
    default: int


@dataclass(frozen=True)
class StorageResult:
    samples: list[StateSize]

    @property
    def stored_mean(self) -> float:
        return fmean(s.stored for s in self.samples)

    @property
    def default_mean(self) -> float:
        return fmean(s.default for s in self.samples)


def measure_state(db: BenchDatabase, case_id: int) -> StateSize:
    with db.ctx.uow(write=False) as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        _version, instance = load_instance(uow.session, case)
        return StateSize(case.phase, len(case.engine_state), default_serializer_size(instance.workflow))


def measure_storage(db: BenchDatabase, cases: int = 1) -> StorageResult:
    samples: list[StateSize] = []
    for _ in range(cases):
        case_id = start_route_case(db.ctx)

        def complete(task_id: int, element_id: str, role: str | None) -> None:
            complete_task(db.ctx, actor_for(role), task_id, answer_for(element_id))

        def sample(case_id: int = case_id) -> None:
            samples.append(measure_state(db, case_id))

        sample()
        drive_case(db, case_id, complete, after_step=sample)
    return StorageResult(samples)
