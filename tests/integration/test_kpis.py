"""Every KPI against numbers computed here from the generated specs (tests/integration/kpi_world.py),
on SQLite and PostgreSQL: for all cases, per municipality, per organisation and per programme."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from statistics import mean, median
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.integration.kpi_world import NOW, CaseSpec, generate, store
from trajectflow.domain.cases import Actor
from trajectflow.domain.errors import Forbidden, NotFound
from trajectflow.services.deploy import deploy_directory
from trajectflow.services.kpis import KpiFilter, all_kpis, billing_table, kpi_table

TL = Actor("teamleider", frozenset({"teamleider"}))
START, END = date(2025, 7, 1), date(2026, 2, 28)
LOW, HIGH = datetime(2025, 7, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
ROERMOND_ORG = {"roermond", "maasgouw", "roerdalen", "echt-susteren", "leudal"}


@pytest.fixture
def world(ctx):  # type: ignore[no-untyped-def]
    deploy_directory(ctx, ROOT / "processes", ROOT / "forms", "test")
    specs = generate()
    programme = store(ctx, specs)
    return ctx, specs, programme


def in_period(at: datetime | None) -> bool:
    return at is not None and LOW <= at < HIGH


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def expected(specs: list[CaseSpec]) -> dict[str, list[list[Any]]]:
    inflow = Counter(f"{s.started:%Y-%m}" for s in specs if in_period(s.started))
    caseload = Counter((s.phase, s.route or "-") for s in specs if s.closed_at is None)
    outflows = [(s, reason) for s in specs for reason, at in s.answer("uitstroom_reden") if in_period(at)]
    reasons = Counter(reason for _s, reason in outflows)
    checks = [ok for s in specs for ok, at in s.answer("nog_uit_uitkering") if in_period(at)]
    # re-integration: werk/ontwikkeling spans ending in the period; success = the closing span with werk/opleiding
    ended: Counter[str] = Counter()
    success: Counter[str] = Counter()
    for s in specs:
        for index, (route, _at) in enumerate(s.routes):
            last = index == len(s.routes) - 1
            end = s.closed_at if last else s.routes[index + 1][1]
            if route in ("werk", "ontwikkeling") and in_period(end):
                ended[route] += 1
                reason = s.answer("uitstroom_reden")
                success[route] += last and bool(reason) and reason[0][0] in ("werk", "opleiding")
    moves, steps = Counter({"up": 0, "same": 0, "down": 0}), []
    for s in specs:
        rungs = [(rung, at) for rung, at in s.answer("ladder_trede") if at < HIGH]
        if len(rungs) >= 2 and rungs[-1][1] >= LOW:
            step = rungs[-1][0] - rungs[0][0]
            steps.append(step)
            moves["up" if step > 0 else "down" if step < 0 else "same"] += 1
    spans: dict[str, list[float]] = {}
    for s in specs:
        for (phase, at), (_next, next_at) in zip(s.phases, s.phases[1:], strict=False):
            if LOW <= next_at < HIGH:
                spans.setdefault(phase, []).append((next_at - at).total_seconds() / 86400)
    overdue: dict[str, list[int]] = {}
    for s in specs:
        for role, due in s.open_tasks:
            counts = overdue.setdefault(role, [0, 0])
            counts[0] += 1
            counts[1] += due < NOW
    instruments = Counter(
        {k: 0 for k in ("loonkostensubsidie", "jobcoach", "beschut_werk", "werkervaringsplaats", "proefplaatsing")}
    )
    for s in specs:
        for _form, data, at in s.answers:
            if not in_period(at):
                continue
            instruments["loonkostensubsidie"] += data.get("lks_toegekend") is True
            instruments["jobcoach"] += "jobcoach_uren_per_week" in data
            instruments["beschut_werk"] += "werklocatie" in data
            instruments["proefplaatsing"] += "proefplaatsing_startdatum" in data
            for item in data.get("ingezette_instrumenten", []):
                name = {"jobcoaching": "jobcoach"}.get(item["instrument"], item["instrument"])
                instruments[name] += name in instruments
    per_municipality: dict[str, list[int]] = {}
    for s in specs:
        row = per_municipality.setdefault(s.municipality, [0, 0, 0, 0])
        row[0] += in_period(s.started)
        row[1] += s.closed_at is None
    for s, reason in outflows:
        per_municipality[s.municipality][2] += 1
        per_municipality[s.municipality][3] += reason == "werk"
    return {
        "inflow": [[m, n] for m, n in sorted(inflow.items())],
        "caseload": [[p, r, n] for (p, r), n in sorted(caseload.items())],
        "outflow": [[r, n] for r, n in sorted(reasons.items(), key=lambda i: (-i[1], i[0]))],
        "durable": [
            ["outflow_to_work", reasons["werk"]],
            ["checked_after_26_weeks", len(checks)],
            ["still_off_benefit", sum(checks)],
            ["durable_percentage", pct(sum(checks), len(checks))],
        ],
        "reintegration": [[r, ended[r], success[r], pct(success[r], ended[r])] for r in ("werk", "ontwikkeling")]
        + [["total", sum(ended.values()), sum(success.values()), pct(sum(success.values()), sum(ended.values()))]],
        "ladder": [[k, moves[k]] for k in ("up", "same", "down")] + [["mean_steps", round(mean(steps), 2)]],
        "throughput": [
            [p, len(d), round(mean(d), 1), round(median(d), 1)] for p, d in sorted(spans.items()) if p != "afgesloten"
        ],
        "overdue": [[role, *counts] for role, counts in sorted(overdue.items())],
        "instruments": [
            [k, instruments[k]]
            for k in ("loonkostensubsidie", "jobcoach", "beschut_werk", "werkervaringsplaats", "proefplaatsing")
        ],
        "municipalities": [[m, *row] for m, row in sorted(per_municipality.items())],
    }


def check_all(ctx, specs: list[CaseSpec], flt: KpiFilter) -> dict[str, list[list[Any]]]:  # type: ignore[no-untyped-def]
    got = {t.key: t.rows for t in all_kpis(ctx, TL, flt)}
    want = expected(specs)
    for key, rows in want.items():
        if key == "municipalities":
            rows = [r for r in rows if any(r[1:])]
        assert got[key] == rows, key
    return got


def test_every_kpi_matches_independent_counts(world):  # type: ignore[no-untyped-def]
    ctx, specs, _programme = world
    got = check_all(ctx, specs, KpiFilter(START, END))
    # the generated world exercises every KPI (no table is trivially empty)
    assert all(got[key] for key in ("inflow", "caseload", "outflow", "throughput", "overdue"))
    assert dict(map(tuple, got["durable"]))["checked_after_26_weeks"] > 0  # type: ignore[arg-type]
    assert got["reintegration"][-1][1] > 0 and sum(n for _k, n in got["instruments"]) > 0


def test_kpis_per_municipality_organisation_and_programme(world):  # type: ignore[no-untyped-def]
    ctx, specs, programme = world
    check_all(ctx, [s for s in specs if s.municipality == "leudal"], KpiFilter(START, END, municipality="leudal"))
    roermond_org = [s for s in specs if s.municipality in ROERMOND_ORG and s.route != "beschut_werk"]
    check_all(ctx, roermond_org, KpiFilter(START, END, organisation="werkbedrijf-roermond"))
    westrom = [s for s in specs if s.municipality in ROERMOND_ORG and s.route == "beschut_werk"]
    assert (
        kpi_table(ctx, TL, "inflow", KpiFilter(START, END, organisation="westrom")).rows == expected(westrom)["inflow"]
    )
    enrolled = [s for s in specs if s.enrolled]
    assert enrolled
    check_all(ctx, enrolled, KpiFilter(START, END, programme=programme))
    with pytest.raises(NotFound):
        kpi_table(ctx, TL, "inflow", KpiFilter(START, END, organisation="nowhere"))
    with pytest.raises(NotFound):
        kpi_table(ctx, TL, "nothing", KpiFilter(START, END))
    with pytest.raises(Forbidden):
        all_kpis(ctx, Actor("klantmanager", frozenset({"klantmanager"})), KpiFilter(START, END))


def test_billing_counts_purchased_trajectories_per_month(world):  # type: ignore[no-untyped-def]
    ctx, specs, _programme = world
    rows = []
    for municipality in ("echt-susteren", "leudal"):
        spans = []
        for s in (s for s in specs if s.municipality == municipality):
            for index, (route, at) in enumerate(s.routes):
                end = s.routes[index + 1][1] if index + 1 < len(s.routes) else s.closed_at
                if route != "beschut_werk":
                    spans.append((route, at, end))
        month = date(2025, 7, 1)
        while month <= END:
            first = datetime(month.year, month.month, 1, tzinfo=UTC)
            following = (first + timedelta(days=32)).replace(day=1)
            for route in sorted({r for r, _a, _e in spans}):
                mine = [(a, e) for r, a, e in spans if r == route and a < following and (e is None or e >= first)]
                if mine:
                    started = sum(a >= first for a, _e in mine)
                    ended = sum(e is not None and e < following for _a, e in mine)
                    rows.append(
                        ["werkbedrijf-roermond", municipality, f"{first:%Y-%m}", route, started, len(mine), ended]
                    )
            month = following.date()
    table = billing_table(ctx, TL, KpiFilter(START, END))
    assert table.columns == ["organisation", "municipality", "month", "route", "started", "active", "ended"]
    assert rows and table.rows == rows
    only_leudal = billing_table(ctx, TL, KpiFilter(START, END, municipality="leudal")).rows
    assert only_leudal == [r for r in rows if r[1] == "leudal"]
