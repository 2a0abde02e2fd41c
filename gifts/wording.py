"""Gifts put into words in the active language: what a gift gives, and the thread entries of its grants.

The thread stores what happened (an event and these JSON parameters, THR-1); the words are
chosen each time it is read, so a Spanish grant reads in English to an English reader.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _


def gift_value(gift, currency: str) -> dict:
    """What a gift gives, as JSON-able data: its kind, the value of that kind and the currency."""
    amount = gift.discount_amount
    return {
        "kind": gift.kind, "product_name": gift.product_name, "points": gift.points,
        "discount_percent": gift.discount_percent, "discount_amount": None if amount is None else str(amount),
        "currency": currency,
    }


def gift_value_text(value: dict) -> str:
    """What the gift gives, in words: "Free Arepa", "500 points", "15% off", "COP 5,000 off"."""
    if value["kind"] == "product":
        return _("Free %(product)s") % {"product": value["product_name"]}
    if value["kind"] == "points":
        return _("%(points)s points") % {"points": formats.number_format(value["points"], force_grouping=True)}
    if value["discount_percent"] is not None:
        return _("%(percent)s%% off") % {"percent": value["discount_percent"]}
    return _("%(currency)s %(amount)s off") % {
        "currency": value["currency"],
        "amount": formats.number_format(Decimal(value["discount_amount"]), 2, force_grouping=True)}


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


def gift_sent_text(params: dict) -> str:
    return _("Gift sent: %(name)s — %(what)s. Code %(code)s, valid until %(date)s.") % {
        "name": params["gift"], "what": gift_value_text(params["value"]), "code": params["code"],
        "date": formats.date_format(dt.date.fromisoformat(params["valid_until"]), "DATE_FORMAT")}


def gift_redeemed_params(*, gift, grant) -> dict:
    """The parameters of the "gift_redeemed" thread event."""
    return {"gift": gift.name, "code": grant.code}


def gift_redeemed_text(params: dict) -> str:
    return _("Gift redeemed: %(name)s (code %(code)s).") % {"name": params["gift"], "code": params["code"]}
