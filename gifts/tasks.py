"""Periodic work for gifts: marking grants whose validity ended as expired (GFT-3)."""

from __future__ import annotations

from celery import shared_task

from merchants import tenancy

from .services import EXPIRE_BATCH_SIZE, grants_expire


@shared_task(name="gifts.tasks.grants_expire_sweep", acks_late=True)
def grants_expire_sweep(batch_size: int = EXPIRE_BATCH_SIZE) -> int:
    """One bounded batch across merchants; re-queues itself while full batches remain.

    Safe to run twice: only grants still offered and past expiry are touched. Reads already
    report such grants as expired, so a late sweep changes no answer.
    """
    with tenancy.all_merchants():
        count = grants_expire(batch_size=batch_size)
    if count >= batch_size:
        grants_expire_sweep.apply_async(kwargs={"batch_size": batch_size}, countdown=1)
    return count
