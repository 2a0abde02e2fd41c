"""Template helpers for gift pages: who may give and redeem gifts (PRODUCT.md §9), a code's QR code."""

import segno
from django import template
from django.utils.safestring import mark_safe

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


@register.simple_tag
def qr_code(code: str, title: str) -> str:
    """The redemption code as an inline SVG QR code, drawn on the server (no script, no image request):
    a full QR code (phones' cameras do not all read Micro QR), medium error correction, its quiet zone."""
    svg = segno.make(code, error="m", micro=False).svg_inline(
        dark="#111827", light="#ffffff", title=title, svgclass="pub-qr", lineclass=None, omitsize=True)
    # An image named by its title for assistive technology (the title is escaped by segno).
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's own markup
