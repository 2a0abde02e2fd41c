"""Template helpers for gift pages: who may give and redeem gifts (PRODUCT.md §9)."""

from django import template

from gifts.wording import gift_description

register = template.Library()


@register.filter
def can_give_gifts(membership) -> bool:
    """Agents and admins attach gifts and redeem codes; staff only see them."""
    return membership is not None and membership.has_role("agent")


@register.filter
def gift_value(gift, currency: str = "") -> str:
    """What the gift gives, in words ("15% off", "500 points", "Free Arepa")."""
    return gift_description(gift, currency)
