"""A thread entry's words for its reader (THR-1): a system event is worded in the active language
each time it is shown, so it reads in the staff member's, the API caller's or the customer's page
language; an entry without an event shows its stored body."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from ratings_inbox import l10n

from .models import Message


def gift_value_text(value: dict) -> str:
    """What the gift gives, in words: "Free Arepa", "500 points", "15% off", "$5.000 off" (es-CO money)."""
    if value["kind"] == "product":
        return _("Free %(product)s") % {"product": value["product_name"]}
    if value["kind"] == "points":
        return _("%(points)s points") % {"points": l10n.number(value["points"])}
    if value["discount_percent"] is not None:
        return _("%(percent)s%% off") % {"percent": value["discount_percent"]}
    return _("%(amount)s off") % {"amount": l10n.money(value["discount_amount"], value["currency"])}


def gift_sent_text(params: dict) -> str:
    return _("Gift sent: %(name)s — %(what)s. Code %(code)s, valid until %(date)s.") % {
        "name": params["gift"], "what": gift_value_text(params["value"]), "code": params["code"],
        "date": l10n.day(dt.date.fromisoformat(params["valid_until"]))}


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
