"""Extra reads that only the inbox pages need: the merchant's quick replies (THR-4)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from merchants.models import Merchant

from .models import QuickReply


def quick_reply_list(*, merchant: Merchant) -> QuerySet[QuickReply]:
    return QuickReply.objects.filter(merchant=merchant).order_by("title", "id")


def quick_reply_get(*, merchant: Merchant, id: int) -> QuickReply:
    quick_reply = QuickReply.objects.filter(merchant=merchant, pk=id).first()
    if quick_reply is None:
        raise Http404("No such quick reply.")
    return quick_reply
