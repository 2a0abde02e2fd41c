"""`{{ total|money:visit.currency }}`, `{{ count|number }}`, `{{ at|day }}`, `{{ at|moment }}`,
`{{ at|clock }}`, `{{ at|clock_seconds }}`: ratings_inbox.l10n's formats as builtin filters (settings TEMPLATES "builtins"),
so every page, e-mail and list writes money, counts and dates one way."""

from django import template

from . import l10n

register = template.Library()

register.filter("money", l10n.money)
register.filter("day", l10n.day)
register.filter("moment", l10n.moment)
register.filter("clock", l10n.clock)
register.filter("clock_seconds", l10n.clock_seconds)


@register.filter
def number(value, decimal_pos=None) -> str:
    return l10n.number(value, None if decimal_pos is None else int(decimal_pos))
