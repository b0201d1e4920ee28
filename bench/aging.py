"""Does a step get slower as a case grows old? Step cost on a case with ~1,000 completed tasks
versus on fresh cases, through the service layer on SQLite.

The case runs tests/fixtures/loop/loop_proces.bpmn (a loop around one user task) with a goal it
never reaches. After aging it, samples alternate: one completion on the old case, then the first
completion on a newly started case, so both see the same machine conditions. Figures are medians.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from statistics import median

from trajectflow.services.cases import ClientInput, start_case
from trajectflow.services.tasks import complete_task

from .database import BenchDatabase
from .route import CLIENT_BIRTH, CLIENT_BSN, CLIENT_NAME, MUNICIPALITY
from .service import STARTER, open_task

LOOP_PROCESS = "loop_proces"
NEVER_DONE = 10**9


@dataclass(frozen=True)
class StepCost:
    old_tasks: int
    old_s: float
    fresh_s: float


def _start_loop_case(db: BenchDatabase) -> int:
    client = ClientInput(CLIENT_BSN, CLIENT_NAME, CLIENT_BIRTH)
    return start_case(db.ctx, STARTER, LOOP_PROCESS, MUNICIPALITY, client, data={"doel": NEVER_DONE})


def _complete_next(db: BenchDatabase, case_id: int, note: str) -> float:
    task = open_task(db.ctx, case_id)
    if task is None:
        raise RuntimeError(f"loop case {case_id} has no open task")
    started = time.perf_counter()
    complete_task(db.ctx, STARTER, task[0], {"opmerking": note})
    return time.perf_counter() - started


def measure_step_cost(db: BenchDatabase, old_tasks: int = 1000, samples: int = 30) -> StepCost:
    old_case = _start_loop_case(db)
    for iteration in range(old_tasks):
        _complete_next(db, old_case, f"ronde {iteration}")
    old, fresh = [], []
    for sample in range(samples):
        old.append(_complete_next(db, old_case, f"meting {sample}"))
        fresh.append(_complete_next(db, _start_loop_case(db), "eerste stap"))
    return StepCost(old_tasks, median(old), median(fresh))
