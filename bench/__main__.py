"""`python -m bench [--quick]`: print every figure as `name: value unit (goal …) met|missed`
and write them to bench/results/latest.json."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .report import RESULTS_DIR, write_results
from .suite import FULL, QUICK, progress, run
from .timers import timer_figures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and samples (under 3 minutes)")
    parser.add_argument("--output", default=str(RESULTS_DIR / "latest.json"), help="where to write the JSON results")
    args = parser.parse_args()
    started = time.monotonic()
    figures = run(QUICK if args.quick else FULL)
    progress("timers: fire latency and drain rate with scheduler processes on PostgreSQL")
    figures += timer_figures(args.quick)
    for figure in figures:
        print(figure.line(), flush=True)
    path = write_results(figures, Path(args.output))
    progress(f"{len(figures)} figures written to {path} in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
