"""Property tests (Hypothesis): the BSN 11-proef, the business calendar and the instance serializer
hold for arbitrary input, not only for the examples the other tests pick."""

from __future__ import annotations

import keyword
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trajectflow.domain.bsn import is_valid_bsn, normalise_bsn
from trajectflow.domain.calendar import BusinessCalendar, LiberationDay
from trajectflow.domain.clock import FixedClock
from trajectflow.engine.instance import EngineInstance

from .test_instance_state import LOOP, executable

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
CLOCK = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

# --- BSN -------------------------------------------------------------------------------------------

eight_digits = st.text("0123456789", min_size=8, max_size=8)


def _with_check_digit(digits: str) -> str | None:
    check = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
    return None if check == 10 or (check == 0 and set(digits) == {"0"}) else digits + str(check)


@given(eight_digits)
def test_a_number_with_its_check_digit_is_a_valid_bsn(digits: str) -> None:
    bsn = _with_check_digit(digits)
    if bsn is not None:
        assert is_valid_bsn(bsn)
        assert normalise_bsn(f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}") == bsn


@given(eight_digits, st.integers(0, 8), st.integers(1, 9))
def test_changing_one_digit_of_a_valid_bsn_is_caught(digits: str, position: int, shift: int) -> None:
    bsn = _with_check_digit(digits)
    if bsn is not None:
        changed = bsn[:position] + str((int(bsn[position]) + shift) % 10) + bsn[position + 1 :]
        assert not is_valid_bsn(changed)


@given(st.text(max_size=12))
def test_any_text_is_answered_without_error(value: str) -> None:
    valid = is_valid_bsn(value)
    assert not valid or (len(value) == 9 and value.isdigit())


# --- business calendar -----------------------------------------------------------------------------

calendars = st.builds(
    BusinessCalendar,
    good_friday=st.booleans(),
    liberation_day=st.sampled_from(list(LiberationDay)),
    closing_days=st.frozensets(st.dates(date(2020, 1, 1), date(2040, 12, 31)), max_size=5),
)
days = st.dates(date(2020, 1, 1), date(2039, 12, 31))


@given(calendars, days, st.integers(-40, 40))
def test_adding_working_days_lands_on_a_working_day_that_far_away(
    calendar: BusinessCalendar, start: date, count: int
) -> None:
    end = calendar.add_working_days(start, count)
    assert (end > start) if count > 0 else (end < start) if count < 0 else (end == start)
    if count:
        assert calendar.is_working_day(end)
    # Counting is "after the first day, up to and including the last", so backwards the two agree from a working day.
    if count >= 0 or calendar.is_working_day(start):
        assert calendar.working_days_between(start, end) == count


@given(calendars, days, st.integers(1, 40))
def test_adding_and_subtracting_returns_to_a_working_day(calendar: BusinessCalendar, start: date, count: int) -> None:
    first = calendar.next_working_day(start)
    assert calendar.add_working_days(calendar.add_working_days(first, count), -count) == first


@given(calendars, st.integers(2020, 2040))
def test_holidays_are_never_working_days(calendar: BusinessCalendar, year: int) -> None:
    holidays = calendar.holidays(year)
    assert {date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)} <= set(holidays)
    assert not any(calendar.is_working_day(day) for day in holidays)
    assert all(day.year == year for day in holidays)


# --- serializer ------------------------------------------------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n) and n not in {"doel", "teller", "opmerking"}
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.dates(),
    st.times(),
    st.datetimes(timezones=st.just(UTC)),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4), max_leaves=12
)


def _same(left: Any, right: Any) -> bool:
    """Equal and of the same types all the way down (a date must not come back as a string)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(names, values, max_size=6), st.dictionaries(names, values, max_size=4))
def test_task_data_survives_dump_and_load(start_data: dict[str, Any], completion: dict[str, Any]) -> None:
    spec = executable(LOOP, LOOP, "loop_proces")
    instance = EngineInstance.start(spec, {"doel": 5, **start_data}, CLOCK)
    loaded = EngineInstance.load(spec, instance.dump())
    (task,) = loaded.ready_user_tasks()
    data = loaded.task_data(task.engine_id)
    assert all(_same(data[key], value) for key, value in start_data.items())
    loaded.complete(task.engine_id, {**completion, "opmerking": "x"}, CLOCK)
    again = EngineInstance.load(spec, loaded.dump())
    (task,) = again.ready_user_tasks()
    data = again.task_data(task.engine_id)
    assert all(_same(data[key], value) for key, value in {**start_data, **completion}.items())
    assert data["teller"] == 1
