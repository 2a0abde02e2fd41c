"""Template helpers of the inbox pages: NPS band names, quantities, the merchant switcher."""

from __future__ import annotations

from decimal import Decimal

from django import template

from merchants import tenancy
from merchants.selectors import memberships_of_user
from ratings.events import message_text as _message_text
from ratings.models import band_for
from ratings.selectors import unread_comments_of_user
from ratings_inbox import l10n

register = template.Library()

@register.filter
def band(score) -> str:
    """promoter / passive / detractor, for the CSS class of a score badge (INB-2)."""
    return band_for(int(score))


@register.filter
def message_text(message, language: str | None = None) -> str:
    """A thread entry's text; a system event worded in `language` or the active one (THR-1)."""
    return _message_text(message, language=language or None)


@register.filter
def quantity(value) -> str:
    """3.000 -> '3', 0.500 -> '0,5' (ratings_inbox.l10n)."""
    value = Decimal(value)
    normalized = value.normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return l10n.number(value, places)


@register.inclusion_tag("layouts/_merchant_switcher.html", takes_context=True)
def merchant_switcher(context):
    """The user's merchants for the top bar (TEN-2): one indexed query on their own memberships, and one
    for their unread comments when they belong to more than one.

    Inside a merchant's request the database session already allows the user's own
    membership rows (policy own_memberships), so no tenant change is needed.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    memberships, unread = [], {}
    if user is not None and user.is_authenticated:
        if getattr(request, "merchant", None) is None:
            tenancy.set_user(user.pk)
            try:
                memberships, unread = _memberships_and_unread(user)
            finally:
                tenancy.clear_tenant()
        else:
            memberships, unread = _memberships_and_unread(user)
    merchant = context.get("merchant")
    for membership in memberships:
        membership.unread = unread.get(membership.merchant_id, 0)
    others = sum(m.unread for m in memberships if merchant is None or m.merchant_id != merchant.pk)
    return {"memberships": memberships, "merchant": merchant, "request": request, "others_unread": others}


def _memberships_and_unread(user) -> tuple[list, dict[int, int]]:
    """The user's memberships and, when there is another merchant to switch to, each one's unread
    comments: one more statement for all of them (ratings.selectors.unread_comments_of_user)."""
    memberships = list(memberships_of_user(user))
    return memberships, unread_comments_of_user() if len(memberships) > 1 else {}
