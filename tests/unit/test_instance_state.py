"""Instance state is stored without the spec: small, and typed task data survives the round trip."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from trajectflow.domain.clock import FixedClock
from trajectflow.engine.instance import EngineInstance
from trajectflow.engine.library import read_library, require_valid
from trajectflow.engine.serializer import default_serializer_size
from trajectflow.engine.specs import SPEC_CACHE, ExecutableSpec
from trajectflow.services.forms import load_forms

ROOT = Path(__file__).resolve().parents[2]
LOOP = ROOT / "tests" / "fixtures" / "loop"
START = {
    "client_id": 1,
    "client_name": "Test Cliënt",
    "client_age": 45,
    "under_27": False,
    "municipality": "roermond",
    "melding_date": "2026-03-02",
    "melding_channel": "loket",
}


def executable(directory: Path, forms: Path, process_id: str) -> ExecutableSpec:
    sources = {p.name: p.read_bytes() for p in directory.iterdir() if p.suffix in {".bpmn", ".dmn"}}
    library = read_library(sources, load_forms(forms))
    require_valid(library)
    definition = library.definition(process_id)
    return SPEC_CACHE.get(definition.content_hash, process_id, definition.sources)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def test_dates_and_decimals_in_task_data_round_trip(clock: FixedClock) -> None:
    spec = executable(LOOP, LOOP, "loop_proces")
    typed = {
        "geboren": date(1990, 1, 31),
        "uurloon": Decimal("12.345"),
        "gemeten": datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        "lijst": [Decimal("1.10"), date(2026, 1, 1)],
        "genest": {"op": date(2026, 2, 28)},
    }
    instance = EngineInstance.start(spec, {"doel": 3, **typed}, clock)
    loaded = EngineInstance.load(spec, instance.dump())
    (task,) = loaded.ready_user_tasks()
    data = loaded.task_data(task.engine_id)
    for key, value in typed.items():
        assert data[key] == value and type(data[key]) is type(value), key
    assert type(data["lijst"][0]) is Decimal and type(data["genest"]["op"]) is date
    # Values set on completion (a delta against the parent's data) round-trip too.
    loaded.complete(task.engine_id, {"opmerking": "x", "volgende": date(2026, 4, 1), "bedrag": Decimal("0.1")}, clock)
    again = EngineInstance.load(spec, loaded.dump())
    (task,) = again.ready_user_tasks()
    data = again.task_data(task.engine_id)
    assert data["volgende"] == date(2026, 4, 1) and type(data["volgende"]) is date
    assert data["bedrag"] == Decimal("0.1") and type(data["bedrag"]) is Decimal
    assert data["teller"] == 1 and data["geboren"] == date(1990, 1, 31)


def test_a_loaded_instance_continues_like_the_original(clock: FixedClock) -> None:
    spec = executable(LOOP, LOOP, "loop_proces")
    instance = EngineInstance.start(spec, {"doel": 2}, clock)
    for _ in range(2):
        instance = EngineInstance.load(spec, instance.dump())
        (task,) = instance.ready_user_tasks()
        instance.complete(task.engine_id, {"opmerking": "ok"}, clock)
    instance = EngineInstance.load(spec, instance.dump())
    assert instance.completed and instance.final_data()["teller"] == 2


def test_spec_free_state_of_the_main_trajectory_is_small(clock: FixedClock) -> None:
    spec = executable(ROOT / "processes", ROOT / "forms", "participatie_traject")
    instance = EngineInstance.start(spec, {**START, "melding": date(2026, 3, 2), "norm": Decimal("1.5")}, clock)
    state = instance.dump()
    stock = default_serializer_size(instance.workflow)
    assert len(state) * 3 <= stock, (len(state), stock)
    assert len(zlib.decompress(state)) * 3 <= stock, "even uncompressed, the spec-free state is a third at most"
    loaded = EngineInstance.load(spec, state)
    assert [t.element_id for t in loaded.ready_user_tasks()] == ["aanvraag_beoordelen"]
    assert [t.element_id for t in loaded.waiting_timers()] == ["beslistermijn"]


def test_unstorable_values_are_refused(clock: FixedClock) -> None:
    spec = executable(LOOP, LOOP, "loop_proces")
    instance = EngineInstance.start(spec, {"doel": 1, "ding": object()}, clock)
    with pytest.raises(TypeError, match="cannot be stored"):
        instance.dump()
