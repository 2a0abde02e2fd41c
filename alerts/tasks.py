"""The beat sweeps of the alerts (SLA-3) and the daily digest (SLA-5).

Each reads only ids across merchants, as the sweeper (SEC-3), from an index of what is due,
then records under each merchant's tenant (alerts.services). Safe to run twice or two at once:
rows are locked with skip_locked and every e-mail has its unique dedupe key.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery import shared_task
from django.conf import settings
from django.db import connections
from django.utils import timezone

from merchants import platform, tenancy
from merchants.models import Merchant
from ratings_inbox.celery import requeue

from .services import digest_record, sla_alerts_record

logger = logging.getLogger(__name__)

# The latest local date anywhere (UTC+14): members whose digest is done on it are out of the range.
_EARLIEST_ZONE_AHEAD = dt.timedelta(hours=14)


def sla_due_rows(now: dt.datetime, limit: int):
    """(merchant_id, rating_id) of the cases whose next alert moment has come: one range of
    rating_sla_alert_next (the same expression and condition), whatever the number of open cases."""
    from ratings.models import SLA_ALERT_PENDING, Rating, sla_alert_next

    return (Rating.objects.using(platform.SWEEPER).alias(next_alert=sla_alert_next())
            .filter(SLA_ALERT_PENDING, next_alert__lte=now).order_by("next_alert")
            .values_list("merchant_id", "pk")[:limit])


def sla_due(now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    return list(sla_due_rows(now, limit))


@shared_task(acks_late=True, ignore_result=True)
def sla_alerts_sweep(window: int | None = None) -> int:
    """Every 30 seconds: the alerts of the cases that turned at risk or breached (SLA-3).

    Reads up to SWEEP_WINDOW due cases (ids, oldest first, across merchants) and records each
    merchant's together, SWEEP_BATCH_SIZE cases per transaction: a backlog spread over many
    merchants is recorded in one INSERT per merchant and sent in full batches, not cut into a few
    alerts of each merchant per sweep, each paying a transaction, a hand-off, a claim and an SMTP
    connection. A full window, or a spent SWEEP_TIME_BUDGET_SECONDS, queues the sweep again.
    """
    window = window or settings.SWEEP_WINDOW
    now = timezone.now()
    started = time.monotonic()
    due = sla_due(now, window)
    recorded = merchants = 0
    for merchant_id, rating_ids in platform.by_merchant(due).items():
        if time.monotonic() - started > settings.SWEEP_TIME_BUDGET_SECONDS:
            break
        with tenancy.tenant(merchant_id):
            merchant = Merchant.objects.get(pk=merchant_id)
            for start in range(0, len(rating_ids), settings.SWEEP_BATCH_SIZE):
                recorded += sla_alerts_record(merchant=merchant, now=now,
                                              rating_ids=rating_ids[start:start + settings.SWEEP_BATCH_SIZE])
        merchants += 1
    if len(due) == window or merchants < len({merchant_id for merchant_id, _ in due}):
        requeue(sla_alerts_sweep)
    if due:
        logger.info("sla sweep: %s cases of %s merchants, %s alerts recorded", len(due), merchants, recorded)
    return recorded


# The digest subscribers whose hour has come in their merchant's zone and whose local day is
# not done: membership_digest_due narrows to those not done on the latest date anywhere.
_DIGEST_DUE_SQL = """
    SELECT ms.merchant_id, ms.id FROM merchants_membership ms
      JOIN merchants_merchant m ON m.id = ms.merchant_id
     WHERE ms.notify_new_detractor = 'digest'
       AND (ms.digest_done_on IS NULL OR ms.digest_done_on < %s)
       AND ms.digest_hour <= extract(hour FROM %s AT TIME ZONE m.timezone)
       AND (ms.digest_done_on IS NULL OR ms.digest_done_on < (%s AT TIME ZONE m.timezone)::date)
     ORDER BY ms.merchant_id, ms.id
     LIMIT %s
"""


def digest_due(now: dt.datetime, limit: int) -> list[tuple[int, int]]:
    """(merchant_id, membership_id) of the members whose digest is due now (SLA-5)."""
    latest = (now + _EARLIEST_ZONE_AHEAD).date()
    with connections[platform.SWEEPER].cursor() as cursor:
        cursor.execute(_DIGEST_DUE_SQL, [latest, now, now, limit])
        return [tuple(row) for row in cursor.fetchall()]


@shared_task(acks_late=True, ignore_result=True)
def digest_sweep(batch_size: int | None = None) -> int:
    """Every few minutes: the digests due (each member's hour in the merchant's zone, SLA-5)."""
    batch_size = batch_size or settings.SWEEP_BATCH_SIZE
    now = timezone.now()
    due = digest_due(now, batch_size)
    sent = 0
    for merchant_id, membership_ids in platform.by_merchant(due).items():
        with tenancy.tenant(merchant_id):
            merchant = Merchant.objects.get(pk=merchant_id)
            for membership_id in membership_ids:
                sent += digest_record(merchant=merchant, membership_id=membership_id, now=now) == "sent"
    if len(due) == batch_size:
        requeue(digest_sweep)
    if due:
        logger.info("digest sweep: %s members due, %s digests recorded", len(due), sent)
    return sent

