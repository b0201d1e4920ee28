"""Scenario files: a path through a process written down as YAML, read into plain objects.

```yaml
process: participatie_traject          # the process every scenario in this file starts
scenarios:
  - name: Werk met loonkostensubsidie
    start: {date: 2026-03-02, municipality: roermond, birth_date: 1980-05-17, data: {}}
    steps:
      - task: aanvraag_beoordelen         # this user task must be open; it is completed with `data`
        phase: aanvraag                   # optional: the case's phase while the task is open
        data: {besluit: toegekend, besluit_datum: 2026-03-20}
      - timer: proefplaatsing_termijn      # move the clock to this waiting timer and let it fire
      - advance: 5 working days           # or `3 days`, `2 weeks`, `P3M`; due timers fire
        fired: [nazorg_termijn_1_maand]   # optional: exactly these timers fired meanwhile
      - expect: {phase: plaatsing, route: werk, open_tasks: [match_werkgever], data: {route: werk}}
    end: {status: completed, phase: afgesloten, route: werk}
```
Files are `processes/scenarios/*.yaml` or `<process>.scenarios.yaml` beside the BPMN files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..domain.errors import ValidationFailed

STEP_KINDS = ("task", "timer", "advance", "expect")
EXPECTABLE = {"status", "phase", "route", "open_tasks", "waiting_timers", "data"}
_AMOUNT = re.compile(r"^\s*(\d+)\s+(working days?|days?|weeks?)\s*$")


@dataclass(frozen=True)
class Step:
    number: int
    kind: str
    target: str  # the task or timer id, or the time to advance
    data: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)
    fired: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        return (
            f"step {self.number} ({self.kind}: {self.target})" if self.target else f"step {self.number} ({self.kind})"
        )


@dataclass(frozen=True)
class Scenario:
    file: str
    name: str
    process_id: str
    start_date: date
    municipality: str
    birth_date: date
    start_data: dict[str, Any]
    steps: tuple[Step, ...]
    end: dict[str, Any]


def find_scenario_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted({*path.glob("scenarios/*.yaml"), *path.glob("scenarios/*.yml"), *path.glob("*.scenarios.yaml")})


def read_scenario_file(path: Path) -> list[Scenario]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise _invalid(path, f"not valid YAML: {err}") from None
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list):
        raise _invalid(path, "expected a mapping with `process` and a list `scenarios`")
    default_process = document.get("process")
    return [_scenario(path, n, item, default_process) for n, item in enumerate(document["scenarios"], start=1)]


def _invalid(path: Path, message: str) -> ValidationFailed:
    return ValidationFailed(f"{path.name}: {message}", {"file": [message]})


def _scenario(path: Path, number: int, item: Any, default_process: Any) -> Scenario:
    if not isinstance(item, dict):
        raise _invalid(path, f"scenario {number} is not a mapping")
    name = str(item.get("name") or f"scenario {number}")
    start = item.get("start") or {}
    process_id = item.get("process") or default_process
    if not process_id:
        raise _invalid(path, f"{name}: no process")
    steps = tuple(_step(path, name, n, raw) for n, raw in enumerate(item.get("steps") or [], start=1))
    end = item.get("end") or {}
    _check_expectations(path, name, end)
    return Scenario(
        file=path.name,
        name=name,
        process_id=str(process_id),
        start_date=_date(start.get("date"), date(2026, 3, 2)),
        municipality=str(start.get("municipality", "roermond")),
        birth_date=_date(start.get("birth_date"), date(1985, 6, 1)),
        start_data=dict(start.get("data") or {}),
        steps=steps,
        end=end,
    )


def _step(path: Path, scenario: str, number: int, raw: Any) -> Step:
    kinds = [k for k in STEP_KINDS if isinstance(raw, dict) and k in raw]
    if len(kinds) != 1:
        raise _invalid(path, f"{scenario}, step {number}: give exactly one of {', '.join(STEP_KINDS)}")
    kind = kinds[0]
    if kind == "expect":
        _check_expectations(path, scenario, raw["expect"])
        return Step(number, kind, "", expect=dict(raw["expect"]))
    target = str(raw[kind])
    if kind == "advance":
        parse_advance(target, path)
    expect = {k: raw[k] for k in ("phase", "role") if k in raw}
    fired = tuple(raw["fired"]) if "fired" in raw else None
    return Step(number, kind, target, data=dict(raw.get("data") or {}), expect=expect, fired=fired)


def _check_expectations(path: Path, scenario: str, expect: Any) -> None:
    if not isinstance(expect, dict) or set(expect) - EXPECTABLE:
        raise _invalid(path, f"{scenario}: expectations are a mapping of {', '.join(sorted(EXPECTABLE))}")


def _date(value: Any, default: date) -> date:
    if value is None:
        return default
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def parse_advance(text: str, path: Path | None = None) -> tuple[int, str]:
    """`5 working days` → (5, "working_days"); `3 days`, `2 weeks`; or an ISO duration → (0, "P3M")."""
    match = _AMOUNT.match(text)
    if match:
        unit = match.group(2).rstrip("s").replace(" ", "_")
        return int(match.group(1)), unit
    if re.match(r"^P(\d+[YMWD])+(T(\d+[HMS])+)?$", text.strip()):
        return 0, text.strip()
    where = f"{path.name}: " if path else ""
    raise ValidationFailed(f"{where}cannot read advance '{text}'", {"advance": ["e.g. '5 working days' or 'P3M'"]})
