"""Opening hours and the clock of open time (SLA-1): pure functions, no database.

A schedule is, per weekday `mon`..`sun`, a sorted list of `["HH:MM", "HH:MM"]` intervals of
wall time in the merchant's zone ("24:00" may close a day). An instant is open when its local
wall time falls in one of its weekday's intervals, so on the night clocks go back a repeated
open hour counts twice and on the night they go forward a skipped one counts nothing, exactly
as the staff live it.

`open_time_point(start, amount, …)` is the earliest instant at which `amount` of open time has
passed since `start`. Between two changes of the zone's UTC offset wall time is UTC plus a
constant, so the open time of such a span is a difference of a closed-form cumulative
function of the weekly schedule: the walk costs one step per offset change crossed, never one
per day or minute (one open minute a week and a 720-hour target: 830 years, about 1,700 steps).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_MINUTE_US = 60_000_000
_DAY_US = 1440 * _MINUTE_US
_WEEK_US = 7 * _DAY_US
_EPOCH = dt.datetime(1, 1, 1)  # a Monday: wall time is counted in microseconds from it
_UTC_EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
MAX_INTERVALS_PER_DAY = 6
# The compiled offset data of zoneinfo ends around 2037; later years follow the zone's rule,
# which repeats every year: a later year without a change has none after it either.
_LAST_EXPLICIT_YEAR = 2038


class ScheduleError(ValueError):
    """A malformed schedule: `errors` maps a weekday (or "" for the whole) to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{day}: {text}" if day else text for day, text in errors.items()))
        self.errors = errors


def _minutes(text) -> int | None:
    if not isinstance(text, str) or not _TIME.match(text):
        return None
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def schedule_errors(value, messages: dict[str, str]) -> dict[str, str]:
    """What is wrong with a schedule (empty when it is right), worded by `messages`
    (keys: shape, format, order, overlap, too_many, closed)."""
    if not isinstance(value, dict) or set(value) != set(DAYS):
        return {"": messages["shape"]}
    errors: dict[str, str] = {}
    for day in DAYS:
        intervals = value[day]
        if not isinstance(intervals, list) or not all(isinstance(i, list | tuple) and len(i) == 2 for i in intervals):
            errors[day] = messages["shape"]
            continue
        if len(intervals) > MAX_INTERVALS_PER_DAY:
            errors[day] = messages["too_many"]
            continue
        spans = [(_minutes(a), _minutes(b)) for a, b in intervals]
        if any(a is None or b is None or a == 1440 for a, b in spans):
            errors[day] = messages["format"]
        elif any(a >= b for a, b in spans):
            errors[day] = messages["order"]
        elif any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)) or spans != sorted(spans):
            errors[day] = messages["overlap"]
    if not errors and not any(value[day] for day in DAYS):
        errors[""] = messages["closed"]
    return errors


@dataclass(frozen=True)
class WeekSchedule:
    """A checked schedule as microsecond offsets into a Monday-first week, adjacent spans merged."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    before: tuple[int, ...]  # open time of the week before each span
    weekly: int

    @classmethod
    def from_days(cls, value: dict) -> WeekSchedule:
        spans: list[list[int]] = []
        for index, day in enumerate(DAYS):
            for a, b in value[day]:
                start = index * _DAY_US + _minutes(a) * _MINUTE_US
                end = index * _DAY_US + _minutes(b) * _MINUTE_US
                if spans and spans[-1][1] == start:
                    spans[-1][1] = end
                else:
                    spans.append([start, end])
        if not spans:
            raise ScheduleError({"": "no open time"})
        before, total = [], 0
        for start, end in spans:
            before.append(total)
            total += end - start
        return cls(tuple(s for s, _ in spans), tuple(e for _, e in spans), tuple(before), total)

    def cumulative(self, wall: int) -> int:
        """Open time from the epoch to `wall` (microseconds of wall time since the epoch)."""
        weeks, rest = divmod(wall, _WEEK_US)
        index = bisect.bisect_right(self.starts, rest) - 1
        within = 0 if index < 0 else self.before[index] + min(rest, self.ends[index]) - self.starts[index]
        return weeks * self.weekly + within

    def wall_at(self, amount: int) -> int:
        """The earliest wall time at which cumulative() reaches `amount` (> 0)."""
        weeks, rest = divmod(amount, self.weekly)
        if rest == 0:
            weeks, rest = weeks - 1, self.weekly
        index = bisect.bisect_left(self.before, rest) - 1
        return weeks * _WEEK_US + self.starts[index] + rest - self.before[index]


@functools.lru_cache(maxsize=512)
def week_schedule(frozen: tuple) -> WeekSchedule:
    return WeekSchedule.from_days({day: [list(i) for i in intervals] for day, intervals in frozen})


def freeze(value: dict) -> tuple:
    """A hashable copy of a checked schedule (the cache key of week_schedule)."""
    return tuple((day, tuple(tuple(i) for i in value[day])) for day in DAYS)


def _offset(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    return instant.astimezone(zone).utcoffset()


@functools.lru_cache(maxsize=4096)
def _changes_in_year(zone: ZoneInfo, year: int) -> tuple[dt.datetime, ...]:
    """The instants of the year (UTC) at which the zone's offset changes: probed weekly, each
    change found to the second by bisection (no zone changes twice within a week)."""
    first = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    last = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC) if year < 9999 else dt.datetime.max.replace(tzinfo=dt.UTC)
    probes = []
    probe = first
    while probe < last:
        probes.append(probe)
        probe += dt.timedelta(days=7)
    probes.append(last)
    changes = []
    offsets = [_offset(zone, p) for p in probes]
    for low, high, before, after in zip(probes, probes[1:], offsets, offsets[1:], strict=False):
        if before == after:
            continue
        while high - low > dt.timedelta(seconds=1):
            middle = low + (high - low) / 2
            middle = middle.replace(microsecond=0)
            if _offset(zone, middle) == before:
                low = middle
            else:
                high = middle
        changes.append(high)
    return tuple(changes)


def _next_change(zone: ZoneInfo, instant: dt.datetime) -> dt.datetime | None:
    """The first offset change after `instant`, or None when the zone never changes again."""
    year = instant.year
    while year <= 9999:
        changes = _changes_in_year(zone, year)
        index = bisect.bisect_right(changes, instant)
        if index < len(changes):
            return changes[index]
        if year > max(instant.year, _LAST_EXPLICIT_YEAR):
            return None
        year += 1
    return None


def _wall_us(instant: dt.datetime, offset: dt.timedelta) -> int:
    return (instant - _UTC_EPOCH + offset) // dt.timedelta(microseconds=1)


class OpenClock:
    """The open time of one schedule (None: always open) in one zone. Build it once to ask for
    many cases (a change of the settings retargets thousands): it keeps the span of constant
    offset it walked last, which the cases opened around the same days share."""

    def __init__(self, schedule: dict | None, zone: str):
        self.week = None if schedule is None else week_schedule(freeze(schedule))
        self.zone = ZoneInfo(zone)
        self._span: tuple[dt.datetime, dt.datetime | None, dt.timedelta] | None = None

    def _offset_until_change(self, at: dt.datetime) -> tuple[dt.timedelta, dt.datetime | None]:
        span = self._span
        if span is not None and span[0] <= at and (span[1] is None or at < span[1]):
            return span[2], span[1]
        offset, change = _offset(self.zone, at), _next_change(self.zone, at)
        self._span = (at, change, offset)
        return offset, change

    def points(self, start: dt.datetime, amounts: list[dt.timedelta]) -> list[dt.datetime]:
        """For each of `amounts` (ascending, > 0), the earliest instant at which that much open
        time has passed since `start` (aware), in one walk."""
        start = start.astimezone(dt.UTC)
        if self.week is None:
            return [start + amount for amount in amounts]  # elapsed time, not wall-clock arithmetic
        week, found, spent = self.week, [], 0
        at = start
        offset, change = self._offset_until_change(at)
        base = week.cumulative(_wall_us(at, offset))
        for amount in amounts:
            need = amount // dt.timedelta(microseconds=1)
            while change is not None:
                available = week.cumulative(_wall_us(change, offset)) - base
                if spent + available >= need:
                    break
                spent += available
                at = change
                offset, change = self._offset_until_change(at)
                base = week.cumulative(_wall_us(at, offset))
            reached = week.wall_at(base + need - spent)
            found.append(_UTC_EPOCH + dt.timedelta(microseconds=reached) - offset)
        return found

    def case_targets(self, opened_at: dt.datetime, target: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
        """(at risk from, due at) of a case opened at `opened_at` (SLA-1, SLA-2): due when
        `target` of open time has passed, at risk once less than a quarter of it is left."""
        at_risk, due = self.points(opened_at, [target - target / 4, target])
        return at_risk, due


def open_time_point(start: dt.datetime, amount: dt.timedelta, *, schedule: dict | None,
                    zone: str) -> dt.datetime:
    """The earliest instant at which `amount` (> 0) of open time has passed since `start`
    (aware). With no schedule every instant is open; otherwise open time is counted in `zone`."""
    return OpenClock(schedule, zone).points(start, [amount])[0]


def case_targets(opened_at: dt.datetime, target: dt.timedelta, *, schedule: dict | None,
                 zone: str) -> tuple[dt.datetime, dt.datetime]:
    """OpenClock.case_targets for one case."""
    return OpenClock(schedule, zone).case_targets(opened_at, target)
