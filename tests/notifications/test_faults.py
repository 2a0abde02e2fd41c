"""AR-4 under faults, with real workers, a real Redis and an SMTP sink: every auto-reply is
delivered exactly once (Message-IDs counted at the sink), none lost. Prints the figures."""

from __future__ import annotations

import statistics
import time
from collections import Counter

import pytest
from django.db import transaction

from autoreply.services import autoreply_settings_update
from autoreply.tasks import autoreply_decide
from notifications.models import OutgoingEmail
from notifications.services import email_queue, emails_send_after_commit
from notifications.tasks import email_send
from ratings.models import Rating
from tests.notifications.harness import wait_for

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def _merchant(make, acting_for, slug):
    merchant = make.merchant(slug, name=f"Comercio {slug}")
    acting_for(merchant)
    autoreply_settings_update(merchant=merchant, enabled=True, delay_minutes=0)
    return merchant


def _silent_detractors(make, merchant, count):
    return [
        make.rating(merchant, score=1 + i % 6,
                    customer=make.customer(merchant, f"Cliente {i} Prueba", email=f"c{i}@example.com"))
        for i in range(count)
    ]


def _drained(expected: int):
    return (OutgoingEmail.objects.filter(status="sent").count() == expected
            and not Rating.objects.filter(autoreply_due_at__isnull=False).exists())


def _figures(name, delivery, ratings, started, extra=""):
    expected_ids = set(OutgoingEmail.objects.values_list("header_message_id", flat=True))
    counts = delivery.smtp.handler.message_ids()
    sent = sum(counts.values())
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    lost = len([r for r in ratings]) - len(set(counts) & expected_ids)
    windows = delivery.windows_ms()
    line = (f"\nFAULT[{name}] expected={len(ratings)} sent={sent} unique={len(counts)} duplicates={duplicates} "
            f"lost={lost} drain_s={time.monotonic() - started:.1f} "
            f"window_ms(median/max)={statistics.median(windows) if windows else 0:.2f}/"
            f"{max(windows) if windows else 0:.2f} {extra}")
    print(line)
    return duplicates, lost


def test_worker_sigkilled_mid_batch_then_restarted_ar4(make, delivery, acting_for):
    """Killed while an e-mail is claimed ('sending') and in the middle of its SMTP dialogue,
    with decisions still queued: the restarted worker's sweeps finish everything."""
    merchant = _merchant(make, acting_for, "fault-kill")
    ratings = _silent_detractors(make, merchant, 40)  # tasks wait in Redis
    started = time.monotonic()
    delivery.smtp.handler.hold_after = 8
    first = delivery.worker(beat=True)
    wait_for(lambda: delivery.smtp.handler.held, 60, 0.05, "the worker to be mid-send")
    first.kill()
    delivery.smtp.handler.hold_after = None
    at_kill = len(delivery.smtp.handler.messages)
    in_flight = OutgoingEmail.objects.filter(status="sending").count()
    undecided = Rating.objects.filter(autoreply_due_at__isnull=False).count()
    delivery.worker(beat=True)
    wait_for(lambda: _drained(40), 90, 0.3, "all 40 sent after the restart")
    time.sleep(1.5)
    duplicates, lost = _figures("sigkill-mid-send", delivery, ratings, started,
                                f"sent_before_kill={at_kill} left_sending={in_flight} undecided_at_kill={undecided}")
    assert in_flight == 1 and (duplicates, lost) == (0, 0)


def test_sigkill_inside_the_ambiguity_window_costs_at_most_a_same_id_resend_ar4(make, delivery, acting_for):
    """The one unavoidable case, measured: killed after the SMTP server said 250 and before the row
    was marked sent. Nothing is lost; the resend carries the same Message-ID (so receiving
    servers that deduplicate on it show one message). Kept to document the window."""
    merchant = _merchant(make, acting_for, "fault-window")
    ratings = _silent_detractors(make, merchant, 20)
    started = time.monotonic()
    first = delivery.worker(beat=True)
    wait_for(lambda: len(delivery.smtp.handler.messages) >= 5, 60, 0.001, "five e-mails")
    first.kill()  # most likely inside the window of the 5th e-mail
    in_flight = OutgoingEmail.objects.filter(status="sending").count()
    delivery.worker(beat=True)
    wait_for(lambda: _drained(20), 90, 0.3, "all 20 sent after the restart")
    time.sleep(1.5)
    duplicates, lost = _figures("sigkill-in-window", delivery, ratings, started, f"left_sending={in_flight}")
    assert lost == 0 and duplicates <= in_flight <= 1


def test_redis_down_while_ratings_saved_sweep_recovers_ar4(make, delivery, acting_for):
    merchant = _merchant(make, acting_for, "fault-redis")
    delivery.redis.stop()
    saving = time.monotonic()
    ratings = _silent_detractors(make, merchant, 30)
    save_s = time.monotonic() - saving
    assert Rating.objects.filter(autoreply_due_at__isnull=False).count() == 30  # durable, nothing queued
    delivery.redis.start()
    started = time.monotonic()
    delivery.worker(beat=True)
    wait_for(lambda: _drained(30), 90, 0.3, "the sweep to send all 30")
    time.sleep(1.5)
    duplicates, lost = _figures("redis-down", delivery, ratings, started, f"save_30_ratings_s={save_s:.1f}")
    assert (duplicates, lost) == (0, 0)


def test_two_workers_race_on_the_same_due_emails_ar4(make, delivery, acting_for):
    merchant = _merchant(make, acting_for, "fault-race")
    ratings = _silent_detractors(make, merchant, 40)
    for rating in ratings:  # the same decision delivered three times
        for _ in range(2):
            autoreply_decide.apply_async(args=[rating.pk, merchant.pk])
    started = time.monotonic()
    workers = [delivery.worker(beat=True, wait=False), delivery.worker(beat=True, wait=False)]
    for worker in workers:
        worker.wait_ready()
    republished = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(republished) < 40:
        for email_id in OutgoingEmail.objects.exclude(pk__in=republished).values_list("pk", flat=True):
            for _ in range(2):  # and every send twice more, whatever its state
                email_send.apply_async(args=[email_id, merchant.pk])
            republished.add(email_id)
        time.sleep(0.1)
    wait_for(lambda: _drained(40), 90, 0.3, "all 40 sent by two racing workers")
    time.sleep(1.5)
    senders = sum(1 for w in workers if "sent attempt=" in w.output())
    duplicates, lost = _figures("two-workers", delivery, ratings, started, f"workers_that_sent={senders}")
    assert (duplicates, lost) == (0, 0)


def test_smtp_refusing_for_a_while_then_accepting_ar4_ar5(make, delivery, acting_for):
    merchant = _merchant(make, acting_for, "fault-smtp")
    delivery.smtp.handler.refusing = True
    delivery.worker(beat=True)
    started = time.monotonic()
    ratings = _silent_detractors(make, merchant, 20)
    # Each e-mail's own attempts, not the refusals' total: under load one e-mail may be refused a
    # third time before another's second try (a flaky 40-refusals wait on a busy machine).
    wait_for(lambda: OutgoingEmail.objects.count() == 20 and not OutgoingEmail.objects.filter(attempts__lt=2).exists(),
             60, 0.2, "every e-mail refused at least twice")
    queued = OutgoingEmail.objects.filter(status="queued").count()
    delivery.smtp.handler.refusing = False
    wait_for(lambda: _drained(20), 90, 0.3, "all 20 sent once SMTP accepts")
    time.sleep(1.5)
    rows = list(OutgoingEmail.objects.all())
    assert all(row.attempts >= 2 and "451" in row.last_error for row in rows)
    duplicates, lost = _figures("smtp-refusing", delivery, ratings, started,
                                f"refusals={delivery.smtp.handler.refused} queued_while_refusing={queued} "
                                f"max_attempts={max(r.attempts for r in rows)}")
    assert (duplicates, lost) == (0, 0)


def test_worker_sigkilled_mid_batch_loses_and_duplicates_nothing_issue15_ar4(make, delivery, acting_for):
    """Issue 15: 40 e-mails handed over as one batch (one claim, one SMTP connection); the worker is
    killed in the SMTP dialogue of the 9th. The 8 accepted were marked sent one by one; the 32
    claimed but unsent wait for their lease and the restarted worker's sweep sends each once."""
    merchant = _merchant(make, acting_for, "fault-batch")
    with transaction.atomic():
        emails = [email_queue(merchant=merchant, kind="gift", send=False, subject=f"Regalo {i}", body_text="Hola",
                              customer=make.customer(merchant, f"Cliente {i} Prueba", email=f"c{i}@example.com"))
                  for i in range(40)]
        emails_send_after_commit(merchant=merchant, emails=emails)
    started = time.monotonic()
    delivery.smtp.handler.hold_after = 8
    first = delivery.worker(beat=True)
    wait_for(lambda: delivery.smtp.handler.held, 60, 0.05, "the worker to be mid-batch")
    first.kill()
    delivery.smtp.handler.hold_after = None
    at_kill = Counter(OutgoingEmail.objects.values_list("status", flat=True))
    delivery.worker(beat=True)
    wait_for(lambda: OutgoingEmail.objects.filter(status="sent").count() == 40, 90, 0.3, "all 40 sent")
    time.sleep(1.5)
    duplicates, lost = _figures("sigkill-mid-batch", delivery, emails, started,
                                f"sent_before_kill={at_kill['sent']} left_sending={at_kill['sending']}")
    assert at_kill == Counter(sent=8, sending=32) and (duplicates, lost) == (0, 0)
    assert "email batch of merchant" not in first.output()  # killed before the batch's summary
