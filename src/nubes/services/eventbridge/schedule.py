"""Schedule expressions: ``rate(N unit)`` and AWS's six-field ``cron(...)``, in UTC.

``parse_schedule`` checks an expression once (``ScheduleError`` for anything AWS refuses)
and returns a ``Schedule`` that computes the next tick strictly after a moment. Ticks are
whole seconds since the epoch. A rate counts from an anchor (when the rule was created or
enabled), so ``rate(5 minutes)`` fires five minutes after that, then every five minutes.

Cron fields are ``minutes hours day-of-month month day-of-week year``, with ``,`` lists,
``-`` ranges, ``*``, ``/`` increments, month and weekday names (JAN, SUN; Sunday is 1),
and in the day fields ``?`` (exactly one of the two is ``?``), ``L`` (the last day, or
``5L`` the last Thursday), ``W`` (the weekday nearest a day, ``LW`` the last weekday) and
``#`` (``3#2``: the second Tuesday).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FIRST_YEAR, LAST_YEAR = 1970, 2199
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: i for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
_WEEKDAYS = {name: i for i, name in enumerate(
    ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


class ScheduleError(ValueError):
    """An expression AWS would refuse."""


class Schedule:
    """A parsed schedule expression."""

    expression: str

    def next_after(self, moment: float, anchor: float) -> int | None:
        """The first tick strictly after ``moment`` (None if there is none)."""
        raise NotImplementedError


def parse_schedule(expression: str) -> Schedule:
    """Parse ``rate(...)`` or ``cron(...)``; raises ``ScheduleError``."""
    text = expression.strip()
    if text.startswith("rate(") and text.endswith(")"):
        return Rate.parse(expression, text[5:-1])
    if text.startswith("cron(") and text.endswith(")"):
        return Cron.parse(expression, text[5:-1])
    raise ScheduleError(expression)


@dataclass(frozen=True)
class Rate(Schedule):
    expression: str
    period: int  # seconds

    @classmethod
    def parse(cls, expression: str, body: str) -> Rate:
        match = re.fullmatch(r"\s*(\d+)\s+([a-z]+)\s*", body)
        if match is None:
            raise ScheduleError(expression)
        value, unit = int(match.group(1)), match.group(2)
        # AWS: a value of 1 takes the singular unit, anything larger the plural.
        singular = unit[:-1] if unit.endswith("s") else unit
        if value < 1 or singular not in _UNITS or (value == 1) != (singular == unit):
            raise ScheduleError(expression)
        return cls(expression, value * _UNITS[singular])

    def next_after(self, moment: float, anchor: float) -> int:
        start = int(anchor)
        if moment < start:
            return start + self.period
        return start + (int((moment - start) // self.period) + 1) * self.period


# -- cron -------------------------------------------------------------------------------

DaySet = Callable[[int, int], set[int]]  # (year, month) -> the matching days of the month


@dataclass(frozen=True)
class Cron(Schedule):
    expression: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: tuple[int, ...]
    days: DaySet

    @classmethod
    def parse(cls, expression: str, body: str) -> Cron:
        fields = body.split()
        if len(fields) != 6:
            raise ScheduleError(expression)
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise ScheduleError(expression)  # exactly one of the day fields is "?"
        try:
            return cls(
                expression,
                _sorted(_values(minute, 0, 59)),
                _sorted(_values(hour, 0, 23)),
                _sorted(_values(month, 1, 12, _MONTHS)),
                _sorted(_values(year, FIRST_YEAR, LAST_YEAR)),
                _day_of_week(dow) if dom == "?" else _day_of_month(dom),
            )
        except (ValueError, IndexError):
            raise ScheduleError(expression) from None

    def next_after(self, moment: float, anchor: float) -> int | None:
        start = datetime.fromtimestamp(int(moment) // 60 * 60, UTC) + timedelta(minutes=1)
        for year in self.years:
            if year < start.year:
                continue
            year_start = year == start.year
            for month in self.months:
                if year_start and month < start.month:
                    continue
                month_start = year_start and month == start.month
                for day in sorted(self.days(year, month)):
                    if month_start and day < start.day:
                        continue
                    day_start = month_start and day == start.day
                    for hour in self.hours:
                        if day_start and hour < start.hour:
                            continue
                        hour_start = day_start and hour == start.hour
                        for minute in self.minutes:
                            if hour_start and minute < start.minute:
                                continue
                            return calendar.timegm((year, month, day, hour, minute, 0))
        return None


def _sorted(values: set[int]) -> tuple[int, ...]:
    if not values:
        raise ValueError("empty field")
    return tuple(sorted(values))


def _number(text: str, low: int, high: int, names: dict[str, int] | None = None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    if not text.isdigit():
        raise ValueError(text)
    value = int(text)
    if not low <= value <= high:
        raise ValueError(text)
    return value


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    """The values of a field of lists, ranges, ``*`` and increments."""
    out: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text, 1, high) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            first, last = _number(a, low, high, names), _number(b, low, high, names)
        else:
            first = _number(base, low, high, names)
            last = high if step_text else first
        span = last - first if last >= first else last + (high - low + 1) - first  # wraps
        out.update(low + (first - low + i) % (high - low + 1) for i in range(0, span + 1, step))
    return out


def _day_of_month(field: str) -> DaySet:
    """The day-of-month field: values, ``L``, ``LW`` and ``nW``."""
    if field == "L":
        return lambda y, m: {calendar.monthrange(y, m)[1]}
    if field == "LW":
        return lambda y, m: {_nearest_weekday(y, m, calendar.monthrange(y, m)[1])}
    if field.endswith("W"):
        day = _number(field[:-1], 1, 31)
        return lambda y, m: ({_nearest_weekday(y, m, day)}
                             if day <= calendar.monthrange(y, m)[1] else set())
    days = _values(field, 1, 31)
    return lambda y, m: {d for d in days if d <= calendar.monthrange(y, m)[1]}


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """The weekday (Mon-Fri) nearest ``day``, without leaving the month."""
    last = calendar.monthrange(year, month)[1]
    weekday = calendar.weekday(year, month, day)  # Monday is 0
    if weekday == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return day + 1 if day < last else day - 2
    return day


def _aws_weekday(year: int, month: int, day: int) -> int:
    """AWS's day of week: Sunday 1 ... Saturday 7."""
    return (calendar.weekday(year, month, day) + 1) % 7 + 1


def _day_of_week(field: str) -> DaySet:
    """The day-of-week field: values (SUN=1), ``L``, ``nL`` (last such day), ``n#k``."""
    if field == "L":
        field = "7"  # on its own, L is the last day of the week: Saturday
    if field.endswith("L"):
        weekday = _number(field[:-1], 1, 7, _WEEKDAYS)
        return lambda y, m: {max(d for d in _month_days(y, m)
                                 if _aws_weekday(y, m, d) == weekday)}
    if "#" in field:
        day_text, nth_text = field.split("#", 1)
        weekday, nth = _number(day_text, 1, 7, _WEEKDAYS), _number(nth_text, 1, 5)

        def nth_day(y: int, m: int) -> set[int]:
            found = [d for d in _month_days(y, m) if _aws_weekday(y, m, d) == weekday]
            return {found[nth - 1]} if len(found) >= nth else set()
        return nth_day
    weekdays = _values(field, 1, 7, _WEEKDAYS)
    return lambda y, m: {d for d in _month_days(y, m) if _aws_weekday(y, m, d) in weekdays}


def _month_days(year: int, month: int) -> range:
    return range(1, calendar.monthrange(year, month)[1] + 1)


def tick_time(tick: int) -> str:
    """A tick as the scheduled event's ``time``: UTC, second precision, with Z."""
    return datetime.fromtimestamp(tick, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
