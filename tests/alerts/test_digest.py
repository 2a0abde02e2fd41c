"""SLA-5 in process, the clock controlled: each member's hour in the merchant's zone, once per
local day, a missed hour caught up later that day, nothing sent with nothing to say, the
member's branches and preferences honoured."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from alerts.tasks import digest_due, digest_sweep
from merchants.models import Membership
from notifications.models import OutgoingEmail

# Across merchants the test reads as the sweeper, as the sweeps do (SEC-3).
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
UTC = dt.UTC


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    import alerts.tasks
    import notifications.services

    monkeypatch.setattr(notifications.services, "_enqueue", lambda *args: None)
    monkeypatch.setattr(notifications.services, "_enqueue_many", lambda *args: None)
    monkeypatch.setattr(alerts.tasks, "requeue", lambda task: None)


def sweep(at) -> int:
    with time_machine.travel(at, tick=False):
        return digest_sweep()


def digests():
    return sorted(OutgoingEmail.objects.using("sweeper").filter(kind="digest").values_list("to_address", "dedupe_key"))


def rate(make, merchant, at, score, **kwargs):
    with time_machine.travel(at, tick=False):
        return make.rating(merchant, score=score, created_at=at, **kwargs)


def test_digest_in_two_time_zones_at_their_local_hours_once_per_day_sla5(make, acting_for):
    bogota = make.merchant("dg-bogota", timezone_name="America/Bogota")  # UTC-5
    madrid = make.merchant("dg-madrid", timezone_name="Europe/Madrid", language="en")  # UTC+1 in March
    acting_for(bogota)
    rate(make, bogota, dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC), 2, comment="Frío")  # Mar 9 local
    acting_for(madrid)
    rate(make, madrid, dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC), 9)
    with time_machine.travel(dt.datetime(2026, 3, 10, 6, 0, tzinfo=UTC), tick=False):
        Membership.objects.filter(merchant=madrid).update(digest_hour=7)  # 07:00 Madrid = 06:00 UTC
    assert sweep(dt.datetime(2026, 3, 10, 5, 55, tzinfo=UTC)) == 0  # 06:55 in Madrid, 00:55 in Bogotá
    assert sweep(dt.datetime(2026, 3, 10, 6, 0, tzinfo=UTC)) == 1
    assert digests() == [("admin-dg-madrid@example.com", f"digest:{make.admin(madrid).pk}:2026-03-10")]
    assert sweep(dt.datetime(2026, 3, 10, 12, 59, tzinfo=UTC)) == 0  # 07:59 in Bogotá: not yet
    assert sweep(dt.datetime(2026, 3, 10, 13, 0, tzinfo=UTC)) == 1  # 08:00 in Bogotá
    assert sweep(dt.datetime(2026, 3, 10, 22, 0, tzinfo=UTC)) == 0  # later that day: never two
    assert len(digests()) == 2
    email = OutgoingEmail.objects.using("sweeper").get(kind="digest", to_address="admin-dg-bogota@example.com")
    assert "1" in email.subject and "Frío" in email.body_text and "Frío" in email.body_html
    assert email.list_unsubscribe.startswith("http") and email.list_unsubscribe in email.body_html
    english = OutgoingEmail.objects.using("sweeper").get(kind="digest", to_address="admin-dg-madrid@example.com")
    assert "yesterday" in english.subject  # the member's language, not the merchant's


def test_a_missed_hour_is_caught_up_later_that_day_but_not_the_next_sla5(make, merchant):
    rate(make, merchant, dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC), 3)
    assert sweep(dt.datetime(2026, 3, 10, 20, 0, tzinfo=UTC)) == 1  # 15:00 local, beat was down since 08:00
    assert sweep(dt.datetime(2026, 3, 11, 4, 59, tzinfo=UTC)) == 0  # 23:59 local: done today
    assert sweep(dt.datetime(2026, 3, 11, 13, 0, tzinfo=UTC)) == 1  # the next day: one open case waits
    assert [key.rsplit(":", 1)[1] for _, key in digests()] == ["2026-03-10", "2026-03-11"]


def test_nothing_to_say_sends_nothing_and_is_not_looked_at_again_that_day_sla5(make, merchant):
    at = dt.datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    assert [m for m, _ in digest_due(at, 100)] == [merchant.pk]
    assert sweep(at) == 0
    assert digests() == []
    assert digest_due(at + dt.timedelta(hours=2), 100) == []


def test_preferences_and_branches_honoured_sla4_sla5(make, merchant):
    branch_b = make.branch(merchant, "Sucursal B")
    only_b = make.member(merchant, "staff", branches=[branch_b], email="b@example.com")
    instant = make.member(merchant, "agent", email="instant@example.com")
    Membership.objects.filter(merchant=merchant, user=instant).update(notify_new_detractor="instant")
    early = make.member(merchant, "agent", email="early@example.com")
    Membership.objects.filter(merchant=merchant, user=early).update(digest_hour=6)
    rate(make, merchant, dt.datetime(2026, 3, 9, 18, 0, tzinfo=UTC), 1, comment="Nunca más")  # main branch
    assert sweep(dt.datetime(2026, 3, 10, 11, 0, tzinfo=UTC)) == 1  # 06:00 local: the early one
    assert sweep(dt.datetime(2026, 3, 10, 13, 0, tzinfo=UTC)) == 1  # 08:00: the admin; b has nothing
    assert [to for to, _ in digests()] == ["admin-la-arepa@example.com", "early@example.com"]
    assert only_b and Membership.objects.get(merchant=merchant, user=only_b).digest_done_on == dt.date(2026, 3, 10)
