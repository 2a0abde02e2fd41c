"""Periodic work of habeas data: the daily retention erasure (PRV-3)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from merchants import tenancy
from merchants.models import Merchant

from .services import RETENTION_BATCH_SIZE, retention_apply

logger = logging.getLogger(__name__)


@shared_task(name="privacy.tasks.retention_sweep", acks_late=True, ignore_result=True)
def retention_sweep(batch_size: int = RETENTION_BATCH_SIZE) -> int:
    """Each merchant with retention on erases, in its own tenant, the customers past their months.

    Bounded: at most `batch_size` erasures per merchant per run; while one merchant had that
    many, the task queues itself again. Safe to run twice: erased customers are not stale.
    """
    now = timezone.now()
    erased = 0
    more = False
    for merchant in Merchant.objects.filter(erase_after_months__isnull=False).order_by("id"):
        today = now.astimezone(ZoneInfo(merchant.timezone)).date()
        with tenancy.tenant(merchant.pk):
            count = retention_apply(merchant=merchant, today=today, batch_size=batch_size)
        if count:
            logger.info("retention erased %s customers of merchant %s", count, merchant.pk)
        erased += count
        more = more or count >= batch_size
    if more:
        retention_sweep.apply_async(kwargs={"batch_size": batch_size}, countdown=1)
    return erased
