"""The clock of open time (SLA-1, merchants.hours): nights, weekends, a case opened while
closed, 24:00 followed by 00:00, both daylight-saving changes in three zones with DST and one
without, a brute-force minute walk on random schedules, and the bound on the work."""

from __future__ import annotations

import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

import pytest

from merchants.hours import DAYS, case_targets, open_time_point, schedule_errors

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
MESSAGES = {key: key for key in ("shape", "format", "order", "overlap", "too_many", "closed")}


def week(**days) -> dict:
    return {day: [list(i) for i in days.get(day, [])] for day in DAYS}


def every_day(*intervals) -> dict:
    return {day: [list(i) for i in intervals] for day in DAYS}


OFFICE = week(**{day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")})


def local(zone, *args, fold=0):
    return dt.datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)


def after(start, delta):
    """Real elapsed time (aware arithmetic in one zone would add wall time)."""
    return start.astimezone(dt.UTC) + delta


def due(start, hours, schedule, zone):
    return open_time_point(start, dt.timedelta(hours=hours), schedule=schedule, zone=zone)


def test_always_open_is_plain_elapsed_time_SLA_1():
    start = local("Europe/Madrid", 2026, 3, 28, 12)
    assert case_targets(start, 24 * H, schedule=None, zone="Europe/Madrid") == (after(start, 18 * H), after(start, 24 * H))


@pytest.mark.parametrize(("opened", "due_local", "at_risk_local"), [
    ((2026, 12, 7, 9), (2026, 12, 9, 17), (2026, 12, 9, 11)),  # Monday at opening: three days of 8 h
    ((2026, 12, 7, 6), (2026, 12, 9, 17), (2026, 12, 9, 11)),  # before opening: starts at 09:00
    ((2026, 12, 8, 20), (2026, 12, 11, 17), (2026, 12, 11, 11)),  # Tuesday night: from Wednesday 09:00
    ((2026, 12, 11, 16), (2026, 12, 16, 16), (2026, 12, 16, 10)),  # Friday 16:00: 1 h, the weekend is closed
    ((2026, 12, 12, 11), (2026, 12, 16, 17), (2026, 12, 16, 11)),  # Saturday: the clock starts on Monday
])
def test_nights_and_weekends_do_not_count_SLA_1(opened, due_local, at_risk_local):
    zone = "America/Bogota"
    at_risk, due_at = case_targets(local(zone, *opened), 24 * H, schedule=OFFICE, zone=zone)
    assert due_at == local(zone, *due_local)
    assert at_risk == local(zone, *at_risk_local)


def test_due_at_closing_time_not_next_opening_SLA_1():
    """Exactly the target at closing time: due then, not the next morning."""
    zone = "America/Bogota"
    assert due(local(zone, 2026, 12, 7, 9), 8, OFFICE, zone) == local(zone, 2026, 12, 7, 17)


def test_a_day_ending_24_00_runs_into_00_00_SLA_1():
    zone = "America/Bogota"
    schedule = week(sat=[("20:00", "24:00")], sun=[("00:00", "02:00")])
    assert due(local(zone, 2026, 12, 12, 21), 4, schedule, zone) == local(zone, 2026, 12, 13, 1)
    # the whole week open around the clock is the same as always open
    full = every_day(("00:00", "24:00"))
    start = local("Europe/Madrid", 2026, 3, 28, 12)
    assert due(start, 30, full, "Europe/Madrid") == after(start, 30 * H)


def test_two_intervals_a_day_SLA_1():
    zone = "America/Bogota"
    lunch_break = every_day(("08:00", "12:00"), ("14:00", "18:00"))
    assert due(local(zone, 2026, 12, 7, 11), 3, lunch_break, zone) == local(zone, 2026, 12, 7, 16)


@pytest.mark.parametrize(("zone", "saturday", "sunday"), [
    ("Europe/Madrid", (2026, 3, 28), (2026, 3, 29)),  # 02:00 -> 03:00
    ("America/New_York", (2026, 3, 7), (2026, 3, 8)),  # 02:00 -> 03:00
    ("Australia/Sydney", (2026, 10, 3), (2026, 10, 4)),  # 02:00 -> 03:00
])
def test_spring_forward_the_skipped_hour_is_not_open_SLA_1(zone, saturday, sunday):
    schedule = every_day(("01:00", "04:00"))
    # Saturday 05:00: Sunday's 01:00-04:00 is two real hours, so 4 h end on Monday at 03:00
    monday = dt.date(*sunday) + dt.timedelta(days=1)
    assert due(local(zone, *saturday, 5), 4, schedule, zone) == local(zone, monday.year, monday.month, monday.day, 3)
    # Around the clock, the open time of that day is 23 hours of real time
    start = local(zone, *saturday, 12)
    assert due(start, 24, every_day(("00:00", "24:00")), zone) == after(start, 24 * H)
    # An interval opening inside the gap opens when the clock jumps: 02:30-04:00 is 03:00-04:00
    gap = every_day(("02:30", "04:00"))
    assert due(local(zone, *sunday, 0, 30), 1, gap, zone) == local(zone, *sunday, 4)


@pytest.mark.parametrize(("zone", "saturday", "sunday", "repeated"), [
    ("Europe/Madrid", (2026, 10, 24), (2026, 10, 25), 2),  # 03:00 -> 02:00: 02:00-03:00 twice
    ("America/New_York", (2026, 10, 31), (2026, 11, 1), 1),  # 02:00 -> 01:00: 01:00-02:00 twice
    ("Australia/Sydney", (2026, 4, 4), (2026, 4, 5), 2),  # 03:00 -> 02:00: 02:00-03:00 twice
])
def test_fall_back_the_repeated_hour_counts_twice_SLA_1(zone, saturday, sunday, repeated):
    schedule = every_day((f"{repeated:02}:00", f"{repeated + 1:02}:00"))
    got = due(local(zone, *saturday, 12), 2, schedule, zone)
    assert got == local(zone, *sunday, repeated + 1)  # the end of the second pass
    assert got - local(zone, *sunday, repeated) == 2 * H  # fold=0: the first pass's start
    # one hour of it ends with the first pass, when the clock shows the repeated hour again
    first_pass_end = due(local(zone, *saturday, 12), 1, schedule, zone)
    assert first_pass_end == local(zone, *sunday, repeated, fold=1).astimezone(dt.UTC)


def test_office_hours_across_a_dst_change_keep_their_wall_times_SLA_1():
    """A Friday-to-Monday case across New York's spring change: 09:00-17:00 local both sides."""
    zone = "America/New_York"
    got = due(local(zone, 2026, 3, 6, 16), 9, OFFICE, zone)
    assert got == local(zone, 2026, 3, 9, 17)
    assert got.astimezone(dt.UTC).hour == 21  # EDT: 17:00 is 21:00 UTC (it was 22:00 the Friday before)


def _brute_force(start: dt.datetime, minutes: int, schedule: dict, zone: str) -> dt.datetime:
    """The instant after the `minutes`-th open minute, walking UTC minutes one by one."""
    tz = ZoneInfo(zone)
    spans = {day: [(int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:])) for a, b in schedule[day]]
             for day in DAYS}
    at, counted = start.astimezone(dt.UTC), 0
    while True:
        wall = at.astimezone(tz)
        minute = wall.hour * 60 + wall.minute
        if any(a <= minute < b for a, b in spans[DAYS[wall.weekday()]]):
            counted += 1
            if counted == minutes:
                return at + MIN
        at += MIN


def _random_schedule(rng: random.Random) -> dict:
    schedule = {}
    for day in DAYS:
        marks = sorted(rng.sample(range(0, 1441, 15), rng.choice([0, 2, 2, 4])))
        schedule[day] = [[f"{a // 60:02}:{a % 60:02}", f"{b // 60:02}:{b % 60:02}"]
                         for a, b in zip(marks[::2], marks[1::2], strict=True)]
    if not any(schedule.values()):
        schedule["wed"] = [["01:30", "03:15"]]
    return schedule


@pytest.mark.parametrize("zone", ["America/Bogota", "Europe/Madrid", "America/New_York", "Australia/Sydney",
                                  "Australia/Lord_Howe"])
def test_matches_a_brute_force_minute_walk_on_random_schedules_SLA_1(zone):
    """Property test (seeded): random schedules, starts near both DST changes of 2026, targets
    of up to 16 hours; the due and at-risk times equal a minute-by-minute walk."""
    rng = random.Random(f"SLA-1 {zone}")
    anchors = [dt.datetime(2026, 3, 26, tzinfo=dt.UTC), dt.datetime(2026, 10, 22, tzinfo=dt.UTC),
               dt.datetime(2026, 4, 2, tzinfo=dt.UTC), dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
               dt.datetime(2026, 10, 29, tzinfo=dt.UTC)]
    for _ in range(24):
        schedule = _random_schedule(rng)
        start = rng.choice(anchors) + dt.timedelta(minutes=rng.randrange(0, 7 * 1440))
        hours = rng.randint(1, 16)
        at_risk, due_at = case_targets(start, hours * H, schedule=schedule, zone=zone)
        assert due_at == _brute_force(start, hours * 60, schedule, zone), (schedule, start, hours)
        assert at_risk == _brute_force(start, hours * 45, schedule, zone), (schedule, start, hours)


def test_one_open_minute_a_week_and_720_hours_is_fast_SLA_1():
    """43,200 open minutes at one a week: 830 years ahead, computed in a few milliseconds."""
    schedule = week(wed=[("10:00", "10:01")])
    start = local("America/Bogota", 2026, 12, 7)
    began = time.perf_counter()
    got = due(start, 720, schedule, "America/Bogota")
    assert time.perf_counter() - began < 1  # about 0.1 s cold on a quiet machine
    first = local("America/Bogota", 2026, 12, 9, 10, 1)
    assert got == (first.astimezone(dt.UTC) + dt.timedelta(weeks=43_199)).astimezone(ZoneInfo("America/Bogota"))
    began = time.perf_counter()
    due(start, 720, schedule, "Europe/Madrid")  # 1,660 offset changes on the way
    assert time.perf_counter() - began < 1  # about 0.1 s cold on a quiet machine


@pytest.mark.parametrize(("value", "errors"), [
    (None, {"": "shape"}),
    ({"mon": []}, {"": "shape"}),
    (week(mon=[("9:00", "17:00")]), {"mon": "format"}),
    (week(mon=[("24:00", "24:00")]), {"mon": "format"}),
    (week(tue=[("08:00", "25:00")]), {"tue": "format"}),
    (week(wed=[("17:00", "09:00")]), {"wed": "order"}),
    (week(wed=[("09:00", "09:00")]), {"wed": "order"}),
    (week(thu=[("08:00", "12:00"), ("11:00", "18:00")]), {"thu": "overlap"}),
    (week(fri=[("14:00", "18:00"), ("08:00", "12:00")]), {"fri": "overlap"}),
    (week(sat=[("08:00", "09:00")] * 7), {"sat": "too_many"}),
    ({**week(), "sun": "08:00-12:00"}, {"sun": "shape"}),
    (week(), {"": "closed"}),
])
def test_malformed_schedules_are_named_by_weekday_SLA_1(value, errors):
    assert schedule_errors(value, MESSAGES) == errors


def test_well_formed_schedules_pass_SLA_1():
    assert schedule_errors(OFFICE, MESSAGES) == {}
    assert schedule_errors(week(sat=[("20:00", "24:00")], sun=[("00:00", "02:00")]), MESSAGES) == {}
    assert schedule_errors(week(mon=[("08:00", "12:00"), ("12:00", "18:00")]), MESSAGES) == {}


def test_one_clock_for_many_cases_answers_as_a_fresh_one_SLA_1():
    """The retargeting reuses one OpenClock (its cached span of constant offset) for thousands of
    cases in any order: each answer equals a fresh clock's."""
    from merchants.hours import OpenClock

    rng = random.Random("SLA-1 shared clock")
    for zone in ("Europe/Madrid", "Australia/Sydney"):
        schedule = _random_schedule(rng)
        shared = OpenClock(schedule, zone)
        for _ in range(300):
            start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 1440))
            target = rng.randint(1, 720) * H
            assert shared.case_targets(start, target) == OpenClock(schedule, zone).case_targets(start, target)
