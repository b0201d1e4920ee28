"""`python -m bench.readme_table`: put bench/results/latest.json into the README as a table, between
the `<!-- bench-table -->` markers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .report import RESULTS_DIR, _format

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench-table -->", "<!-- /bench-table -->"


def render(results: dict[str, dict[str, object]]) -> str:
    lines = ["| figure | value | goal | met |", "|---|---|---|---|"]
    for name, figure in results.items():
        value = f"{_format(float(figure['value']))} {figure['unit']}"  # type: ignore[arg-type]
        goal = "" if figure["goal"] == "none" else str(figure["goal"])
        met = "" if not goal else ("yes" if figure["met"] else "**no**")
        lines.append(f"| `{name}` | {value} | {goal} | {met} |")
    return "\n".join(lines)


def update_readme(results_path: Path = RESULTS_DIR / "latest.json", readme: Path = README) -> None:
    results = json.loads(results_path.read_text())
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{readme} has no {START} … {END} markers")
    readme.write_text(pattern.sub(lambda _m: f"{START}\n{render(results)}\n{END}", text))


if __name__ == "__main__":
    update_readme(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS_DIR / "latest.json")
