"""Periodic work for gifts: marking grants whose validity ended as expired (GFT-3)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from merchants import platform, tenancy
from merchants.access import Access
from merchants.models import Merchant

from .models import GiftGrant
from .services import EXPIRE_BATCH_SIZE, grants_expire


@shared_task(name="gifts.tasks.grants_expire_sweep", acks_late=True)
def grants_expire_sweep(batch_size: int = EXPIRE_BATCH_SIZE) -> int:
    """One bounded batch across merchants; re-queues itself while full batches remain.

    The due grants are listed across merchants as the sweeper (SEC-3), ids only; each
    merchant's are expired under its tenant. Safe to run twice: only grants still offered and
    past expiry are touched. Reads already report such grants as expired, so a late sweep
    changes no answer.
    """
    now = timezone.now()
    due = list(
        GiftGrant.objects.using(platform.SWEEPER)
        .filter(status=GiftGrant.Status.OFFERED, expires_at__lte=now)
        .order_by("expires_at", "id")
        .values_list("merchant_id", "id")[:batch_size]
    )
    count = 0
    for merchant_id, grant_ids in platform.by_merchant(due).items():
        with tenancy.tenant(merchant_id):
            merchant = Merchant.objects.get(pk=merchant_id)
            count += grants_expire(access=Access.system(merchant), now=now, batch_size=len(grant_ids))
    if len(due) >= batch_size:
        grants_expire_sweep.apply_async(kwargs={"batch_size": batch_size}, countdown=1)
    return count
