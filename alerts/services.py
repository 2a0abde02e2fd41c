"""Recording the SLA alerts and the daily digest in the outbox (SLA-3, SLA-5).

Each is recorded by a beat sweep through notifications.staff.StaffMail (a merchant's alerts of one
sweep in one INSERT … ON CONFLICT DO NOTHING), whose unique constraint (kind, dedupe_key) makes it
exactly once; the stage a case's alerts have reached (Rating.sla_alerted) and the day a member's
digest was dealt with (Membership.digest_done_on) are written in the same transaction, so a sweep
that dies records nothing and the next one does it all, and the done ones leave the indexes the
sweeps read.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from merchants.access import Access
from merchants.models import Membership, Merchant, NewDetractorNotice
from notifications.models import OutgoingEmail
from notifications.staff import StaffMail
from ratings.models import SLA_ALERT_PENDING, Rating, SlaAlerted, sla_alert_stage_reached

from .content import digest_email, sla_alert_email
from .selectors import digest_for, sla_recipients

Kind = OutgoingEmail.Kind
STAGE_KINDS = {SlaAlerted.AT_RISK: Kind.SLA_AT_RISK, SlaAlerted.BREACHED: Kind.SLA_BREACHED}


def sla_dedupe_key(rating_id: int, user_id: int) -> str:
    return f"case:{rating_id}:user:{user_id}"


@transaction.atomic
def sla_alerts_record(*, merchant: Merchant, rating_ids: list[int], now: dt.datetime) -> int:
    """Records the alerts of the cases that reached a stage (SLA-3) and moves them past it.

    The cases are locked, skipping those another sweep (or a reply) holds: that one finishes
    them, or the next tick does. A case that reached both stages since the last look gets the
    breach alert only (alerts concern the present). The e-mails are written together (one INSERT)
    and go to the workers together after commit (a sweep may record hundreds). Returns the number
    of e-mails recorded.
    """
    access = Access.system(merchant)
    cases = list(
        access.scope(Rating.objects).filter(SLA_ALERT_PENDING, pk__in=rating_ids)
        .select_for_update(skip_locked=True, of=("self",)).select_related("customer", "branch")
        .order_by("id")
    )
    reached = {}
    for rating in cases:
        stage = sla_alert_stage_reached(rating, now)
        if stage > rating.sla_alerted:
            reached.setdefault(stage, []).append(rating)
    if not reached:
        return 0
    recipients = sla_recipients(access=access)
    mail = StaffMail(merchant)
    for stage, ratings in reached.items():
        kind = STAGE_KINDS[stage]
        for rating in ratings:
            for membership in recipients.of(rating, stage):
                membership.merchant = merchant
                mail.add(sla_alert_email(mail=mail, membership=membership, rating=rating, kind=kind),
                         membership=membership, kind=kind, dedupe_key=sla_dedupe_key(rating.pk, membership.user_id),
                         rating=rating)
        Rating.objects.filter(merchant=merchant, pk__in=[r.pk for r in ratings]).update(sla_alerted=stage)
    return len(mail.record())  # one INSERT; after commit to the workers in batches, one SMTP connection each


def local_now(merchant: Merchant, now: dt.datetime) -> dt.datetime:
    return now.astimezone(ZoneInfo(merchant.timezone))


def digest_dedupe_key(user_id: int, day: dt.date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


@transaction.atomic
def digest_record(*, merchant: Merchant, membership_id: int, now: dt.datetime) -> str:
    """The member's digest of today (their local date), if due and not yet dealt with (SLA-5).

    Due from the member's hour until the end of their day, so a sweep that missed the hour still
    sends it later that day; the day is then marked done, sent or not ("nothing to say"), and
    the dedupe key digest:<user>:<local date> refuses a second one. Returns the outcome.
    """
    local = local_now(merchant, now)
    membership = (
        Membership.objects.filter(merchant=merchant, pk=membership_id)
        .select_for_update(skip_locked=True, of=("self",)).select_related("user").first()
    )
    if membership is None:
        return "busy"
    if membership.notify_new_detractor != NewDetractorNotice.DIGEST or not membership.user.is_active:
        return "not_wanted"
    if local.hour < membership.digest_hour:
        return "early"
    if membership.digest_done_on is not None and membership.digest_done_on >= local.date():
        return "done"
    membership.merchant = merchant
    digest = digest_for(access=Access.member(membership, merchant), day=local.date() - dt.timedelta(days=1))
    outcome = "nothing"
    if digest.has_news:
        mail = StaffMail(merchant)
        mail.add(digest_email(mail=mail, membership=membership, digest=digest), membership=membership,
                 kind=Kind.DIGEST, dedupe_key=digest_dedupe_key(membership.user_id, local.date()))
        outcome = "sent" if mail.record() else "done"
    Membership.objects.filter(merchant=merchant, pk=membership.pk).update(digest_done_on=local.date())
    return outcome
