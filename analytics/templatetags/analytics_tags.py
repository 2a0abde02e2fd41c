"""Template helpers of the analytics dashboard."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ratings_inbox import l10n

register = template.Library()


@register.filter
def minutes(value) -> str:
    """A response time for people: '45 min', '3,5 h', '2 d' (in the active language's separators)."""
    if value is None:
        return "—"
    value = int(value)
    if value < 120:
        return _("%(n)s min") % {"n": value}
    if value < 2880:
        return _("%(n)s h") % {"n": l10n.number(round(value / 60, 1), 1 if value % 60 else 0)}
    return _("%(n)s d") % {"n": l10n.number(round(value / 1440, 1), 1 if value % 1440 else 0)}


@register.filter
def percent(rate) -> str:
    """A rate 0..1 as a whole percentage: 0.8333 -> '83 %'."""
    if rate is None:
        return "—"
    return f"{l10n.number(round(100 * rate))} %"


@register.filter
def days(value) -> str:
    """A number of days for people: '1 day', '6,5 days', '41 days'."""
    if value is None:
        return "—"
    whole = float(value) == int(value)
    shown = l10n.number(value, 0 if whole else 1)
    return ngettext("%(n)s day", "%(n)s days", int(value) if whole else 2) % {"n": shown}
