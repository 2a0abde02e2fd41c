"""SLA-3 and SLA-5 end to end with a real Celery worker and beat, a real Redis and an SMTP
server: the alert within a minute of its moment, multipart, in the member's language, with the
one-click stop header; the digest at the member's hour. Then the faults (SLA-3, SLA-5): worker
SIGKILLed mid-batch, Redis down while cases breach, two beats at once — every alert and digest
exactly once, counted by Message-ID at the SMTP server. Prints the figures."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from merchants.access import Access
from merchants.models import Membership
from notifications.models import OutgoingEmail
from ratings.cases import case_update
from tests.notifications.harness import wait_for

# Assertions over every merchant read as the sweeper, as the sweeps do (SEC-3).
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
EVERY = "sweeper"
TARGET = dt.timedelta(hours=24)  # ratings.cases.DEFAULT_FIRST_RESPONSE_HOURS
BEAT = {"DIGEST_SWEEP_SECONDS": "1"}
STAFF_KINDS = ("sla_at_risk", "sla_breached", "digest")


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _parts(message) -> dict[str, str]:
    return {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}


def _merchant(make, acting_for, slug, *, digest_now=False, language="es"):
    merchant = make.merchant(slug, name=f"Comercio {slug}")
    acting_for(merchant)
    admin = make.admin(merchant)
    type(admin).objects.filter(pk=admin.pk).update(language=language)
    hour = timezone.now().astimezone(ZoneInfo(merchant.timezone)).hour
    # The digest due now (its hour has come) or not today at all (the last hour of the day, later);
    # no assignment e-mails (CASE-3) when the tests give the cases an owner: alerts and digests only.
    Membership.objects.filter(merchant=merchant).update(digest_hour=hour if digest_now else 23,
                                                        notify_assigned=False)
    return merchant, admin


def _cases(make, merchant, owner, count, *, breach_in: float):
    """Detractors whose case breaches `breach_in` seconds from now (already at risk when they arrive)."""
    created = timezone.now() - TARGET + dt.timedelta(seconds=breach_in)
    ratings = []
    for i in range(count):
        rating = make.rating(merchant, score=1 + i % 6, created_at=created,
                             customer=make.customer(merchant, f"Cliente {i} Prueba", email=None))
        case_update(access=Access.system(merchant), rating=rating, actor=None, owner=owner.pk)
        ratings.append(rating)
    return ratings


def _staff_rows():
    return OutgoingEmail.objects.using(EVERY).filter(kind__in=STAFF_KINDS)


def _all_sent(expected: Counter) -> bool:
    rows = Counter(_staff_rows().filter(status="sent").values_list("kind", flat=True))
    return rows == expected


def _figures(name, delivery, expected: Counter, started, extra="") -> tuple[int, int, Counter]:
    ids = dict(_staff_rows().values_list("header_message_id", "kind"))
    counts = delivery.smtp.handler.message_ids()
    ours = {mid: n for mid, n in counts.items() if mid in ids}
    duplicates = sum(n - 1 for n in ours.values() if n > 1)
    by_kind = Counter(ids[mid] for mid in ours)
    lost = sum(expected.values()) - len(ours)
    print(f"\nFAULT[{name}] expected={dict(expected)} delivered={dict(by_kind)} unique={len(ours)} "
          f"sent={sum(ours.values())} duplicates={duplicates} lost={lost} "
          f"drain_s={time.monotonic() - started:.1f} {extra}")
    return duplicates, lost, by_kind


def test_alerts_and_digest_delivered_by_a_real_worker_within_a_minute_sla3_sla5_sla6(make, delivery, acting_for):
    merchant, admin = _merchant(make, acting_for, "al-live", language="en")
    agent = make.member(merchant, "agent", email="agent@example.com")
    created = timezone.now() - TARGET * 3 / 4 + dt.timedelta(seconds=4)  # turns at risk in 4 s
    rating = make.rating(merchant, score=2, comment="La sopa llegó fría", created_at=created,
                         customer=make.customer(merchant, "Ana Gómez", email=None))
    case_update(access=Access.system(merchant), rating=rating, actor=None, owner=agent.pk)
    moment = rating.at_risk_at
    delivery.worker(beat=True, extra_env=BEAT)
    wait_for(lambda: _all_sent(Counter({"sla_at_risk": 1})), 60, 0.2, "the at-risk alert")
    alert_id = _staff_rows().get(kind="sla_at_risk").header_message_id
    message = next(m for m in delivery.smtp.handler.messages if m["Message-ID"].strip() == alert_id)
    received = timezone.now()
    assert (received - moment).total_seconds() < 60
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert _subject(message) == "En riesgo: responde a Ana Gómez (2/10, Principal)"  # the agent's Spanish
    assert "Ana Gómez" in parts["text/html"] and "La sopa llegó fría" in parts["text/plain"]
    assert f"/m/al-live/inbox/{rating.pk}/" in parts["text/plain"]
    stop = "".join(message["List-Unsubscribe"].split()).strip("<>")
    assert stop in parts["text/html"] and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # SLA-5 with the same worker: the admin's hour comes (set to now), a case waits → one digest.
    Membership.objects.filter(merchant=merchant, user=admin).update(
        digest_hour=timezone.now().astimezone(ZoneInfo(merchant.timezone)).hour)
    wait_for(lambda: _staff_rows().filter(kind="digest", status="sent").exists(), 60, 0.2, "the digest")
    digest_id = _staff_rows().get(kind="digest").header_message_id
    digest = next(m for m in delivery.smtp.handler.messages if m["Message-ID"].strip() == digest_id)
    assert "yesterday" in _subject(digest) and "open case: 1" in _parts(digest)["text/plain"]
    time.sleep(2.5)  # two more beats of both sweeps: nothing more
    assert Counter(_staff_rows().values_list("kind", flat=True)) == Counter({"sla_at_risk": 1, "digest": 1})
    print(f"\nSLA-3 alert at the SMTP server {(received - moment).total_seconds():.1f} s after the moment")


@pytest.mark.fault
def test_worker_sigkilled_mid_batch_every_alert_and_digest_once_sla3_sla5(make, delivery, acting_for):
    owners = [_merchant(make, acting_for, f"al-kill-{n}", digest_now=True) for n in range(3)]
    for merchant, admin in owners:
        acting_for(merchant)
        _cases(make, merchant, admin, 20, breach_in=3)
    expected = Counter({"sla_breached": 60, "digest": 3})
    delivery.smtp.handler.hold_after = 10
    started = time.monotonic()
    first = delivery.worker(beat=True, extra_env=BEAT)
    wait_for(lambda: delivery.smtp.handler.held, 60, 0.05, "the worker to be mid-send")
    first.kill()
    delivery.smtp.handler.hold_after = None
    at_kill = len(delivery.smtp.handler.messages)
    sending = _staff_rows().filter(status="sending").count()
    delivery.worker(beat=True, extra_env=BEAT)
    wait_for(lambda: _all_sent(expected), 120, 0.3, "every alert and digest after the restart")
    time.sleep(2)
    duplicates, lost, by_kind = _figures("alerts-sigkill-mid-send", delivery, expected, started,
                                         f"sent_before_kill={at_kill} left_sending={sending}")
    assert (duplicates, lost, by_kind) == (0, 0, expected)


@pytest.mark.fault
def test_redis_down_while_cases_breach_every_alert_once_sla3_sla5(make, delivery, acting_for):
    owners = [_merchant(make, acting_for, f"al-redis-{n}", digest_now=True) for n in range(2)]
    worker = delivery.worker(beat=True, extra_env=BEAT)
    delivery.redis.stop()
    down = time.monotonic()
    for merchant, admin in owners:
        acting_for(merchant)
        _cases(make, merchant, admin, 15, breach_in=2)  # they breach while Redis is down
    time.sleep(max(0.0, 6 - (time.monotonic() - down)))  # the moments pass with the broker gone
    delivery.redis.start()
    started = time.monotonic()
    if worker.process.poll() is not None:  # gave up on the broker: a new one, as a supervisor would
        delivery.worker(beat=True, extra_env=BEAT)
    expected = Counter({"sla_breached": 30, "digest": 2})
    wait_for(lambda: _all_sent(expected), 120, 0.3, "every alert and digest after Redis came back")
    time.sleep(2)
    duplicates, lost, by_kind = _figures("alerts-redis-down", delivery, expected, started,
                                         f"down_s={started - down:.1f} worker_survived={worker.process.poll() is None}")
    assert (duplicates, lost, by_kind) == (0, 0, expected)


@pytest.mark.fault
def test_two_beats_at_once_every_alert_and_digest_once_sla3_sla5(make, delivery, acting_for):
    owners = [_merchant(make, acting_for, f"al-race-{n}", digest_now=True) for n in range(3)]
    for merchant, admin in owners:
        acting_for(merchant)
        _cases(make, merchant, admin, 20, breach_in=4)
    expected = Counter({"sla_breached": 60, "digest": 3})
    started = time.monotonic()
    workers = [delivery.worker(beat=True, wait=False, extra_env=BEAT) for _ in range(2)]
    for worker in workers:
        worker.wait_ready()
    wait_for(lambda: _all_sent(expected), 120, 0.3, "every alert and digest with two beats")
    time.sleep(3)
    sweeps = [worker.output().count("sla sweep:") for worker in workers]
    duplicates, lost, by_kind = _figures("alerts-two-beats", delivery, expected, started,
                                         f"sweeps_that_recorded_per_worker={sweeps}")
    assert (duplicates, lost, by_kind) == (0, 0, expected)
