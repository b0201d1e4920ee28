"""Query latency at scale: the read side on PostgreSQL loaded by `demo --scale` (services.scale_demo).

Each query is a service call as the API and pages make it (worklist page with its total, group
queue, overdue view, stuck cases, case search, reports over the last twelve months). Samples take
turns between the queries, with a different caseworker each time, after one uncounted warm-up
round; p50 and p95 are over the counted samples.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from trajectflow.domain.cases import Actor
from trajectflow.services.context import ServiceContext
from trajectflow.services.queries import CaseFilter, list_cases
from trajectflow.services.reports import REPORTS, ReportPeriod, report
from trajectflow.services.scale_demo import CASEWORKERS_PER_ROLE, ScaleSummary, caseworker, load_scale_demo, valid_bsn
from trajectflow.services.supervision_queries import StuckFilter, stuck_cases
from trajectflow.services.worklist import WorklistFilter, worklist

from .database import BenchDatabase
from .pages import page_figures
from .report import NO_GOAL, Figure, Goal, at_least, at_most

TEAMLEIDER = Actor("teamleider", frozenset({"teamleider"}))
ROLE = "klantmanager"
ROWS_PER_SECOND_GOAL = 50_000
# p95 goals (ms) per query; case search by name scans client names (no goal, shown for reference).
GOALS_MS: dict[str, Goal] = {
    "worklist_mine": at_most(50),
    "worklist_group": at_most(50),
    "worklist_overdue": at_most(50),
    "stuck_cases": at_most(200),
    "case_search_bsn": at_most(50),
    "case_search_name": NO_GOAL,
    **{f"report_{key}": at_most(1000) for key in REPORTS},
}

Query = Callable[[random.Random], object]


def _caseworker(rnd: random.Random) -> Actor:
    return Actor(caseworker(ROLE, rnd.randrange(1, CASEWORKERS_PER_ROLE)), frozenset({ROLE}))


def _queries(ctx: ServiceContext, cases: int) -> dict[str, Query]:
    today = ctx.clock.now().date()
    period = ReportPeriod(today - timedelta(days=365), today)
    queries: dict[str, Query] = {
        "worklist_mine": lambda rnd: worklist(ctx, _caseworker(rnd), WorklistFilter(view="mine")),
        "worklist_group": lambda rnd: worklist(ctx, _caseworker(rnd), WorklistFilter(view="groups")),
        "worklist_overdue": lambda rnd: worklist(ctx, _caseworker(rnd), WorklistFilter(view="overdue")),
        "stuck_cases": lambda rnd: stuck_cases(ctx, TEAMLEIDER, StuckFilter()),
        "case_search_bsn": lambda rnd: list_cases(ctx, CaseFilter(client=valid_bsn(rnd.randrange(1, cases)))),
        "case_search_name": lambda rnd: list_cases(ctx, CaseFilter(client=rnd.choice(("jansen", "el am", "smit")))),
    }
    for key in REPORTS:
        queries[f"report_{key}"] = lambda rnd, key=key: report(ctx, TEAMLEIDER, key, period)  # type: ignore[misc]
    return queries


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_latencies(ctx: ServiceContext, cases: int, samples: int) -> list[Figure]:
    rnd = random.Random(11)
    queries = _queries(ctx, cases)
    timings: dict[str, list[float]] = {name: [] for name in queries}
    for round_number in range(samples + 1):
        for name, query in queries.items():
            started = time.perf_counter()
            query(rnd)
            if round_number > 0:
                timings[name].append((time.perf_counter() - started) * 1000)
    figures = []
    for name, measured in timings.items():
        figures.append(Figure(f"query_{name}_p50_ms", _percentile(measured, 0.5), "ms"))
        figures.append(Figure(f"query_{name}_p95_ms", _percentile(measured, 0.95), "ms", GOALS_MS[name]))
    return figures


def load_figures(summary: ScaleSummary) -> list[Figure]:
    return [
        Figure("scale_cases", summary.cases, "cases"),
        Figure("scale_task_rows", summary.rows.get("tasks", 0), "rows"),
        Figure("scale_load_rows_per_s", summary.rows_per_second, "rows/s", at_least(ROWS_PER_SECOND_GOAL)),
    ]


def scale_figures(cases: int, samples: int, progress: Callable[[str], None]) -> list[Figure]:
    """Load `cases` generated cases into a throw-away PostgreSQL schema and time the read side on it."""
    with BenchDatabase("postgresql") as db:

        def report_progress(summary: ScaleSummary) -> None:
            if summary.cases % 50_000 == 0 or summary.cases == cases:
                progress(str(summary))

        summary = load_scale_demo(db.ctx, cases, progress=report_progress)
        progress(f"query latency at {cases:,} cases, {samples} samples per query")
        figures = load_figures(summary) + measure_latencies(db.ctx, cases, samples)
        progress("page latency: worklist and stuck cases pages through the Flask app")
        return figures + page_figures(db.ctx)
