"""`python -m bench [--quick]`: print every figure as `name: value unit (goal …) met|missed`
and write them to bench/results/latest.json."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .load import load_figures
from .queries import scale_figures
from .report import RESULTS_DIR, Figure, ratio, write_results
from .suite import FULL, QUICK, progress, run
from .timers import timer_figures

QUICK_SCALE = 20_000


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and samples (under 3 minutes)")
    parser.add_argument("--output", default=str(RESULTS_DIR / "latest.json"), help="where to write the JSON results")
    parser.add_argument(
        "--scale", type=int, default=QUICK_SCALE, help=f"cases for the query latency figures (default {QUICK_SCALE:,})"
    )
    args = parser.parse_args()
    started = time.monotonic()
    figures = run(QUICK if args.quick else FULL)
    progress("timers: fire latency and drain rate with scheduler processes on PostgreSQL")
    figures += timer_figures(args.quick)
    progress("HTTP load: 50 caseworkers against gunicorn (4 workers) on PostgreSQL")
    figures += _with_ratio_to_raw(load_figures(10 if args.quick else 30), figures)
    progress(f"query latency: loading {args.scale:,} cases with demo --scale into PostgreSQL")
    figures += scale_figures(args.scale, 10 if args.quick else 30, progress)
    for figure in figures:
        print(figure.line(), flush=True)
    path = write_results(figures, Path(args.output))
    progress(f"{len(figures)} figures written to {path} in {time.monotonic() - started:.0f}s")
    return 0


def _with_ratio_to_raw(load: list[Figure], earlier: list[Figure]) -> list[Figure]:
    raw = next(f for f in earlier if f.name == "raw_steps_per_s")
    return [*load, ratio("http_load_50_users_vs_raw", load[0], raw)]


if __name__ == "__main__":
    raise SystemExit(main())
