"""A thread entry's words for its reader (THR-1): a system event is worded in the active language
each time it is shown, so it reads in the staff member's, the API caller's or the customer's page
language; an entry without an event shows its stored body."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import gettext as _

from .models import Message


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


def gift_sent_text(params: dict) -> str:
    return _("Gift sent: %(name)s — %(what)s. Code %(code)s, valid until %(date)s.") % {
        "name": params["gift"], "what": gift_value_text(params["value"]), "code": params["code"],
        "date": formats.date_format(dt.date.fromisoformat(params["valid_until"]), "DATE_FORMAT")}


def gift_redeemed_text(params: dict) -> str:
    return _("Gift redeemed: %(name)s (code %(code)s).") % {"name": params["gift"], "code": params["code"]}


EVENT_TEXTS = {
    Message.Event.GIFT_SENT: gift_sent_text,
    Message.Event.GIFT_REDEEMED: gift_redeemed_text,
}


def message_text(message: Message, *, language: str | None = None) -> str:
    """The entry's text in `language`, or in the active language when None."""
    if message.event is None:
        return message.body
    if language is None:
        return EVENT_TEXTS[message.event](message.event_params)
    with translation.override(language):
        return EVENT_TEXTS[message.event](message.event_params)
