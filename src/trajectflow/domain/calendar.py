"""The Dutch business calendar: weekends, public holidays and an organisation's own closing days.

Which days count is partly policy: Goede Vrijdag is a day off at some employers only, and
Bevrijdingsdag (5 May) is a day off every year for some and only in lustrum years (2025, 2030 …)
for others. Both are settings; the rest follows the statutory list (Algemene termijnenwet).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class LiberationDay(StrEnum):
    EVERY_YEAR = "every_year"
    LUSTRUM = "lustrum"
    NEVER = "never"


def easter_sunday(year: int) -> date:
    """Gregorian Easter (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def kings_day(year: int) -> date:
    """27 April, or 26 April when the 27th is a Sunday."""
    day = date(year, 4, 27)
    return day - timedelta(days=1) if day.weekday() == 6 else day


@dataclass(frozen=True)
class BusinessCalendar:
    good_friday: bool = False
    liberation_day: LiberationDay = LiberationDay.LUSTRUM
    closing_days: frozenset[date] = field(default_factory=frozenset)

    def holidays(self, year: int) -> dict[date, str]:
        """The public holidays of `year` (with this calendar's choices) and the closing days, by date."""
        easter = easter_sunday(year)
        days = {
            date(year, 1, 1): "Nieuwjaarsdag",
            easter: "Eerste Paasdag",
            easter + timedelta(days=1): "Tweede Paasdag",
            kings_day(year): "Koningsdag",
            easter + timedelta(days=39): "Hemelvaartsdag",
            easter + timedelta(days=49): "Eerste Pinksterdag",
            easter + timedelta(days=50): "Tweede Pinksterdag",
            date(year, 12, 25): "Eerste Kerstdag",
            date(year, 12, 26): "Tweede Kerstdag",
        }
        if self.good_friday:
            days[easter - timedelta(days=2)] = "Goede Vrijdag"
        if self.liberation_day == LiberationDay.EVERY_YEAR or (
            self.liberation_day == LiberationDay.LUSTRUM and year % 5 == 0
        ):
            days[date(year, 5, 5)] = "Bevrijdingsdag"
        for day in self.closing_days:
            if day.year == year:
                days.setdefault(day, "Sluitingsdag")
        return dict(sorted(days.items()))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holiday_set(day.year)

    def _holiday_set(self, year: int) -> frozenset[date]:
        return _holiday_cache(self, year)

    def add_working_days(self, start: date, count: int) -> date:
        """The date `count` working days after `start` (before it when negative); 0 gives `start` itself."""
        step = 1 if count >= 0 else -1
        day, left = start, abs(count)
        while left:
            day += timedelta(days=step)
            if self.is_working_day(day):
                left -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))


_CACHE: dict[tuple[BusinessCalendar, int], frozenset[date]] = {}


def _holiday_cache(calendar: BusinessCalendar, year: int) -> frozenset[date]:
    key = (calendar, year)
    found = _CACHE.get(key)
    if found is None:
        found = frozenset(calendar.holidays(year))
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def parse_closing_days(values: Iterable[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(v.strip()) for v in values if v.strip())
