"""One benchmark run: every figure measured beside its reference, interleaved round by round.

Throughput runners (raw engine, service layer and HTTP on SQLite and PostgreSQL) take turns each
round, in a rotating order, so a slow moment of the machine hits them all alike; the first round
is a warm-up (spec parsing, SQL compilation, imports in the server) and is not counted.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from statistics import median
from typing import Protocol

from .aging import measure_step_cost
from .database import PROCESSES_DIR, BenchDatabase
from .http_api import HttpRunner
from .raw import RawRunner
from .report import NO_GOAL, Figure, Goal, at_least, at_most, ratio
from .service import ServiceRunner
from .storage import measure_storage


class RouteRunner(Protocol):
    name: str

    def run_route(self) -> list[float]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Plan:
    rounds: int
    raw_routes_per_round: int
    old_case_tasks: int
    step_samples: int
    storage_cases: int


QUICK = Plan(rounds=8, raw_routes_per_round=5, old_case_tasks=1000, step_samples=20, storage_cases=1)
FULL = Plan(rounds=60, raw_routes_per_round=5, old_case_tasks=1000, step_samples=80, storage_cases=3)


def progress(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def run(plan: Plan) -> list[Figure]:
    with ExitStack() as stack:
        databases = {}
        for backend in ("sqlite", "postgresql"):
            progress(f"preparing {backend} database")
            databases[backend] = stack.enter_context(BenchDatabase(backend))
        progress("starting gunicorn for each backend")
        runners: list[RouteRunner] = [RawRunner(PROCESSES_DIR)]
        for db in databases.values():
            runners.append(ServiceRunner(db))
        for db in databases.values():
            http_runner = HttpRunner(db)
            stack.callback(http_runner.close)
            runners.append(http_runner)
        durations = _interleave(runners, plan)
        progress("measuring stored state sizes")
        storage = measure_storage(databases["sqlite"], plan.storage_cases)
    progress(f"aging a loop case to {plan.old_case_tasks} completed tasks")
    with BenchDatabase("sqlite", with_loop=True) as aging_db:
        cost = measure_step_cost(aging_db, plan.old_case_tasks, plan.step_samples)
    return _figures(durations, storage.stored_mean, storage.default_mean, cost.old_s, cost.fresh_s)


def _interleave(runners: list[RouteRunner], plan: Plan) -> dict[str, list[float]]:
    durations: dict[str, list[float]] = {r.name: [] for r in runners}
    for round_number in range(plan.rounds + 1):
        progress(f"round {round_number}/{plan.rounds}" + (" (warm-up)" if round_number == 0 else ""))
        shift = round_number % len(runners)
        for runner in runners[shift:] + runners[:shift]:
            repeats = plan.raw_routes_per_round if isinstance(runner, RawRunner) else 1
            for _ in range(repeats):
                measured = runner.run_route()
                if round_number > 0:
                    durations[runner.name].extend(measured)
    return durations


def _per_second(name: str, samples: list[float], goal: Goal = NO_GOAL) -> Figure:
    """Completions per second of time spent completing (the timed calls only)."""
    value = len(samples) / sum(samples) if samples else 0.0
    return Figure(name, value, "tasks/s", goal)


def _figures(
    durations: dict[str, list[float]], stored: float, default: float, old_s: float, fresh_s: float
) -> list[Figure]:
    raw = _per_second("raw_steps_per_s", durations["raw"])
    figures = [raw]
    for backend in ("sqlite", "postgresql"):
        service = _per_second(f"service_{backend}_tasks_per_s", durations[f"service_{backend}"])
        figures += [service, ratio(f"service_{backend}_vs_raw", service, raw, at_least(0.5))]
    for backend in ("sqlite", "postgresql"):
        samples = durations[f"http_{backend}"]
        http = _per_second(f"http_{backend}_tasks_per_s", samples, at_least(100))
        p50 = Figure(f"http_{backend}_p50_ms", median(samples) * 1000, "ms", at_most(10))
        figures += [http, p50, ratio(f"http_{backend}_vs_raw", http, raw)]
    stored_figure = Figure("stored_bytes_per_case", stored, "bytes")
    default_figure = Figure("default_serializer_bytes_per_case", default, "bytes")
    stored_ratio = ratio("stored_vs_default_ratio", stored_figure, default_figure, at_most(0.33))
    figures += [stored_figure, default_figure, stored_ratio]
    old = Figure("step_cost_old_ms", old_s * 1000, "ms")
    fresh = Figure("step_cost_fresh_ms", fresh_s * 1000, "ms")
    figures += [old, fresh, ratio("step_cost_old_vs_fresh", old, fresh, at_most(1.2))]
    return figures
