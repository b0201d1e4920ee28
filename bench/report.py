"""Figures: one printed line each (`name: value unit (goal …) met|missed`) and latest.json."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"

_COMPARE: dict[str, Callable[[float, float], bool]] = {"≥": operator.ge, "≤": operator.le}


@dataclass(frozen=True)
class Goal:
    """A bound such as `≥ 0.5`; `Goal()` means the figure has no goal (always met)."""

    op: str | None = None
    bound: float | None = None

    def __str__(self) -> str:
        return "none" if self.op is None else f"{self.op} {self.bound:g}"

    def met_by(self, value: float) -> bool:
        if self.op is None or self.bound is None:
            return True
        return _COMPARE[self.op](value, self.bound)


NO_GOAL = Goal()


def at_least(bound: float) -> Goal:
    return Goal("≥", bound)


def at_most(bound: float) -> Goal:
    return Goal("≤", bound)


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    goal: Goal = NO_GOAL

    @property
    def met(self) -> bool:
        return self.goal.met_by(self.value)

    def line(self) -> str:
        return f"{self.name}: {_format(self.value)} {self.unit} (goal {self.goal}) {'met' if self.met else 'missed'}"

    def as_json(self) -> dict[str, object]:
        return {"value": round(self.value, 4), "unit": self.unit, "goal": str(self.goal), "met": self.met}


def ratio(name: str, numerator: Figure, denominator: Figure, goal: Goal = NO_GOAL) -> Figure:
    value = numerator.value / denominator.value if denominator.value else 0.0
    return Figure(name, value, "ratio", goal)


def _format(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def write_results(figures: list[Figure], path: Path | None = None) -> Path:
    path = path or RESULTS_DIR / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({f.name: f.as_json() for f in figures}, indent=2, ensure_ascii=False) + "\n")
    return path
