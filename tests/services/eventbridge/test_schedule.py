"""Schedule expressions: parsing what AWS accepts and refuses, and the next tick."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nubes.services.eventbridge.schedule import (
    Cron,
    ScheduleError,
    parse_schedule,
    tick_time,
)


def at(text: str) -> int:
    return calendar.timegm(datetime.strptime(text, "%Y-%m-%d %H:%M").timetuple())


def nxt(expression: str, after: str) -> str | None:
    tick = parse_schedule(expression).next_after(at(after), 0)
    return None if tick is None else datetime.fromtimestamp(tick, UTC).strftime(
        "%Y-%m-%d %H:%M")


@pytest.mark.parametrize(("expression", "after", "expected"), [
    ("cron(0 12 * * ? *)", "2026-03-01 11:00", "2026-03-01 12:00"),
    ("cron(0 12 * * ? *)", "2026-03-01 12:00", "2026-03-02 12:00"),  # strictly after
    ("cron(15 10 ? * MON-FRI *)", "2026-11-20 10:15", "2026-11-23 10:15"),  # Fri -> Mon
    ("cron(0/15 * * * ? *)", "2026-01-01 00:01", "2026-01-01 00:15"),
    ("cron(*/20 * * * ? *)", "2026-01-01 00:41", "2026-01-01 01:00"),
    ("cron(0 8-10 * * ? *)", "2026-01-01 10:30", "2026-01-02 08:00"),
    ("cron(0 0 1,15 * ? *)", "2026-01-02 00:00", "2026-01-15 00:00"),
    ("cron(0 0 L * ? *)", "2026-02-01 00:00", "2026-02-28 00:00"),
    ("cron(0 0 L * ? *)", "2028-02-01 00:00", "2028-02-29 00:00"),  # leap year
    ("cron(0 0 LW * ? *)", "2026-05-01 00:00", "2026-05-29 00:00"),  # the 31st is a Sunday
    ("cron(0 0 1W * ? *)", "2026-07-20 00:00", "2026-08-03 00:00"),  # Sat 1st -> Mon 3rd
    ("cron(0 0 15W * ? *)", "2026-11-01 00:00", "2026-11-16 00:00"),  # Sun 15th -> Mon
    ("cron(0 0 ? * 6L *)", "2026-01-01 00:00", "2026-01-30 00:00"),  # last Friday
    ("cron(0 0 ? * 2#1 *)", "2026-06-02 00:00", "2026-07-06 00:00"),  # first Monday
    ("cron(0 0 ? * SUN *)", "2026-11-22 00:00", "2026-11-29 00:00"),  # SUN is 1
    ("cron(0 0 ? * 1 *)", "2026-11-22 00:00", "2026-11-29 00:00"),
    ("cron(0 0 ? * L *)", "2026-11-22 00:00", "2026-11-28 00:00"),  # Saturday
    ("cron(0 0 1 JAN ? *)", "2026-06-01 00:00", "2027-01-01 00:00"),
    ("cron(0 0 29 FEB ? *)", "2026-03-01 00:00", "2028-02-29 00:00"),
    ("cron(30 6 ? * FRI-MON *)", "2026-11-24 00:00", "2026-11-27 06:30"),  # wraps
    ("cron(0 0 1 1 ? 2027-2028)", "2028-06-01 00:00", None),
    ("cron(0 0 31 2 ? *)", "2026-01-01 00:00", None),
])
def test_next_cron_tick(expression: str, after: str, expected: str | None) -> None:
    assert nxt(expression, after) == expected


def test_rate_counts_from_its_anchor() -> None:
    rate = parse_schedule("rate(5 minutes)")
    assert rate.next_after(1000, 1000) == 1300
    assert rate.next_after(1299, 1000) == 1300
    assert rate.next_after(1300, 1000) == 1600
    assert rate.next_after(10_000, 1000) == 10_300  # 10,000 is itself a tick
    assert rate.next_after(10_100, 1000) == 10_300
    assert parse_schedule("rate(1 day)").next_after(0, 0) == 86400
    assert parse_schedule("rate(2 hours)").next_after(0, 0) == 7200


@pytest.mark.parametrize("expression", [
    "rate(1 minutes)", "rate(2 minute)", "rate(0 minutes)", "rate(-1 minutes)",
    "rate(1 second)", "rate(1.5 hours)", "rate(minutes)", "rate()", "rate 1 minute",
    "cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 * * ?)", "cron(0 12 * * ? * *)",
    "cron(60 * * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 0 * ? *)", "cron(0 0 32 * ? *)",
    "cron(0 0 ? 13 * *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? * FOO *)", "cron(0 0 * * ? 1969)",
    "cron(0 0 L,1 * ? *)", "cron(0 0 ? * 2#6 *)", "cron(0/0 * * * ? *)", "cron(a * * * ? *)",
    "cron(0 0 ? * ? *)", "at(2026-01-01T00:00:00)", "",
])
def test_invalid_expressions(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(expression)


def test_tick_time_is_utc_seconds_with_z() -> None:
    assert tick_time(at("2026-11-22 17:05")) == "2026-11-22T17:05:00Z"


moments = st.integers(at("2000-01-01 00:00"), at("2100-01-01 00:00"))


@given(moments, st.integers(1, 59))
def test_every_n_minutes_cron_agrees_with_arithmetic(moment: int, step: int) -> None:
    tick = parse_schedule(f"cron(0/{step} * * * ? *)").next_after(moment, 0)
    assert tick is not None and tick > moment
    start = (moment // 60 + 1) * 60
    minute = datetime.fromtimestamp(start, UTC)
    expected = next(minute + timedelta(minutes=i) for i in range(61)
                    if (minute + timedelta(minutes=i)).minute % step == 0)
    assert tick == int(expected.timestamp())


@given(moments, st.sampled_from([
    "cron(15 10 ? * MON-FRI *)", "cron(0 0 L * ? *)", "cron(0 9 ? * 2#3 *)",
    "cron(30 6 1,15 * ? *)", "cron(0 18 ? * 6L *)", "cron(0 0 LW * ? *)"]))
def test_a_cron_tick_matches_and_nothing_earlier_does(moment: int, expression: str) -> None:
    cron = parse_schedule(expression)
    assert isinstance(cron, Cron)
    tick = cron.next_after(moment, 0)
    assert tick is not None and tick > moment
    assert matching_minutes(cron, moment, tick + 1) == [tick]


def matching_minutes(cron: Cron, start: int, end: int) -> list[int]:
    """Every minute in (start, end) the cron matches, found day by day."""
    found = []
    day = datetime.fromtimestamp(start, UTC).replace(hour=0, minute=0, second=0)
    while int(day.timestamp()) < end:
        if day.month in cron.months and day.day in cron.days(day.year, day.month):
            for hour in cron.hours:
                for minute in cron.minutes:
                    moment = int(day.replace(hour=hour, minute=minute).timestamp())
                    if start < moment < end:
                        found.append(moment)
        day += timedelta(days=1)
    return found
