"""A thread entry's words for its reader (THR-1): a system event is worded in the active language
each time it is shown, so it reads in the staff member's, the API caller's or the customer's page
language; an entry without an event shows its stored body."""

from __future__ import annotations

from django.utils import translation

from gifts.wording import gift_redeemed_text, gift_sent_text

from .models import Message

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
