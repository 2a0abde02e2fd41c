"""The one-click stop link of every staff e-mail (SLA-6): signed, needs no login, never expires.

The token names the membership and the kind of e-mail; following it turns off the preference
that kind of e-mail obeys, for that merchant only. Like the customers' unsubscribe links, it
is the merchant and object signed with SECRET_KEY under a salt of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.links import absolute

from .models import OutgoingEmail

_SALT = "notifications.stop"
Kind = OutgoingEmail.Kind

# Each kind of staff e-mail, the membership preference that stops it and the value that does.
STOPS = {
    Kind.ASSIGNED: ("notify_assigned", False),
    Kind.ESCALATED: ("notify_assigned", False),
    Kind.NEW_DETRACTOR: ("notify_new_detractor", "off"),
    Kind.DIGEST: ("notify_new_detractor", "off"),
    Kind.SLA_AT_RISK: ("notify_sla", False),
    Kind.SLA_BREACHED: ("notify_sla", False),
}


# What a member stops, said on the stop page, per preference.
STOPPED = {
    "notify_assigned": _("e-mails when a case is assigned to you or escalated"),
    "notify_new_detractor": _("e-mails about new detractors, and the daily digest"),
    "notify_sla": _("response-target alerts"),
}


@dataclass(frozen=True)
class StopLink:
    merchant_id: int
    membership_id: int
    kind: str


def stop_url(*, membership, kind: str) -> str:
    token = signing.Signer(salt=_SALT).sign_object([membership.merchant_id, membership.pk, str(kind)])
    return absolute(reverse("notifications:stop", args=[token]))


def read_stop_token(token: str) -> StopLink | None:
    try:
        merchant_id, membership_id, kind = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(merchant_id, int) and isinstance(membership_id, int) and kind in STOPS):
        return None
    return StopLink(merchant_id, membership_id, kind)
