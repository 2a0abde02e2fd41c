"""Celery tasks of the auto-reply (AR-4): the decision at due time and the sweep that guarantees it."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from merchants import platform, tenancy
from merchants.models import Merchant
from ratings.models import Rating
from ratings_inbox.celery import requeue

from .services import autoreply_send_due

logger = logging.getLogger(__name__)


def _longest_eta() -> timedelta:
    """Redis hands an unacknowledged message to another worker after its visibility timeout, so an
    ETA task held longer than that would be delivered again and again (a 24-hour delay: ~144
    copies). Longer delays hop: the task wakes up early, sees "early" and re-enqueues itself."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return timedelta(seconds=visibility / 2)


def enqueue_autoreply(rating_id: int, merchant_id: int, due_at) -> None:
    """Called on commit by autoreply_schedule (a rating received). A broker outage loses nothing: the sweep finds the rating."""
    eta = min(due_at, timezone.now() + _longest_eta())
    try:
        autoreply_decide.apply_async(args=[rating_id, merchant_id], eta=eta, retry=False)
    except Exception:  # noqa: BLE001 - autoreply_due_at is durable; autoreply_sweep recovers it
        logger.warning("broker unavailable; auto-reply of rating %s left for the sweep", rating_id)


@shared_task(acks_late=True, ignore_result=True)
def autoreply_decide(rating_id: int, merchant_id: int) -> str:
    """Runs at the rating's due time; safe to run twice or alongside the sweep."""
    with tenancy.tenant(merchant_id):
        merchant = Merchant.objects.filter(pk=merchant_id).first()
        if merchant is None:
            return "no_merchant"
        outcome = autoreply_send_due(merchant=merchant, rating_id=rating_id)
        if outcome == "early":
            due_at = Rating.objects.filter(merchant=merchant, pk=rating_id).values_list(
                "autoreply_due_at", flat=True).first()
            if due_at is not None:
                enqueue_autoreply(rating_id, merchant_id, due_at)
        return outcome


@shared_task(acks_late=True, ignore_result=True)
def autoreply_sweep(batch_size: int | None = None) -> int:
    """Decides every rating whose auto-reply is due and was not handled (broker down, lost task).

    Only the ids are read across merchants, as the sweeper (SEC-3); each decision runs under
    its merchant's tenant. A full batch re-queues the sweep at once.
    """
    batch_size = batch_size or settings.SWEEP_BATCH_SIZE
    cutoff = timezone.now() - timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    due = list(
        Rating.objects.using(platform.SWEEPER).filter(autoreply_due_at__lte=cutoff)
        .order_by("autoreply_due_at", "id")
        .values_list("merchant_id", "pk")[:batch_size]
    )
    for merchant_id, rating_ids in platform.by_merchant(due).items():
        with tenancy.tenant(merchant_id):
            merchant = Merchant.objects.get(pk=merchant_id)
            for rating_id in rating_ids:
                autoreply_send_due(merchant=merchant, rating_id=rating_id)
    if len(due) == batch_size:
        requeue(autoreply_sweep)
    if due:
        logger.info("autoreply sweep decided %s ratings", len(due))
    return len(due)
