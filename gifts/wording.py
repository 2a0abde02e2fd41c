"""Gifts put into words in the active language: what a gift gives, and the thread entries of its grants.

The thread stores what happened (an event and these JSON parameters, THR-1); the words are
chosen each time it is read, so a Spanish grant reads in English to an English reader.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from notifications.content import EmailContent, email_bodies
from ratings.events import gift_value_text
from ratings_inbox import l10n


def gift_value(gift, currency: str) -> dict:
    """What a gift gives, as JSON-able data: its kind, the value of that kind and the currency."""
    amount = gift.discount_amount
    return {
        "kind": gift.kind, "product_name": gift.product_name, "points": gift.points,
        "discount_percent": gift.discount_percent, "discount_amount": None if amount is None else str(amount),
        "currency": currency,
    }


def gift_description(gift, currency: str) -> str:
    return gift_value_text(gift_value(gift, currency))


def local_day(moment: dt.datetime, zone_name: str) -> dt.date:
    """The merchant's calendar day of a moment (a grant is valid to the end of that day)."""
    return moment.astimezone(ZoneInfo(zone_name)).date()


def gift_sent_params(*, gift, grant, merchant) -> dict:
    """The parameters of the "gift_sent" thread event."""
    return {
        "gift": gift.name, "code": grant.code, "value": gift_value(gift, merchant.currency),
        "valid_until": local_day(grant.expires_at, merchant.timezone).isoformat(),
    }


def gift_redeemed_params(*, gift, grant) -> dict:
    """The parameters of the "gift_redeemed" thread event."""
    return {"gift": gift.name, "code": grant.code}


def gift_email(*, merchant, rating, gift_sent: dict) -> EmailContent:
    """A gift granted from the thread (GFT-2): what it gives, its code and its last day.

    gift_sent: the parameters of the thread's "gift_sent" event, so both say the same.
    """
    with l10n.reading(merchant.language, merchant.timezone):
        until = l10n.day(dt.date.fromisoformat(gift_sent["valid_until"]))
        text = (
            _("Hello %(name)s,") % {"name": rating.customer.full_name} + "\n\n"
            + _("%(merchant)s sent you a gift: %(gift)s — %(what)s.") % {
                "merchant": merchant.name, "gift": gift_sent["gift"], "what": gift_value_text(gift_sent["value"])}
            + "\n\n"
            + _("Your code: %(code)s") % {"code": gift_sent["code"]} + "\n"
            + _("Valid until: %(date)s (end of the day)") % {"date": until} + "\n\n"
            + _("Show this code at any of our branches to redeem it.")
        )
        return EmailContent(
            subject=_("%(merchant)s sent you a gift") % {"merchant": merchant.name},
            **email_bodies(merchant=merchant, rating=rating, text=text),
        )
