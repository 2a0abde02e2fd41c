"""The AR-2 placeholders filled in other texts than the auto-reply's: the quick replies of the composer (THR-4).

A template library, as gifts' tags are for the opened rating's gifts: the page composes what the apps
above the inbox add to it, and `ratings` itself never imports `autoreply`.
"""

from django import template

from autoreply import placeholders

register = template.Library()


@register.inclusion_tag("autoreply/_placeholders.html")
def placeholder_list():
    """Each placeholder as it is written, with what it is: `{first_name}` Nombre (AR-2, THR-4)."""
    return {"fields": [(f"{{{name}}}", placeholders.LABELS[name]) for name in placeholders.PLACEHOLDERS]}


@register.simple_tag
def filled(text: str, rating, merchant) -> str:
    """`text` with {first_name}, {merchant}, … of the rating's customer and visit; as written when it
    has an unknown placeholder or a stray brace, since staff read and edit it before sending (THR-4)."""
    try:
        return placeholders.fill(text, placeholders.Values.for_rating(rating, merchant))
    except placeholders.PlaceholderError:
        return text
