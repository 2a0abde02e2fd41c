"""Template helpers of the inbox's views and bulk actions (CASE-6, CASE-8): tabs and initials."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def view_tabs(inbox, summary) -> list[dict]:
    """The view tabs with their counts, for wherever the counters are redrawn."""
    return inbox.views(summary)


@register.filter
def initials(name: str | None) -> str:
    """'Laura Gerente' -> 'LG', 'ana@example.com' -> 'A': the owner's avatar on a row."""
    words = [word for word in (name or "").replace("@", " ").split() if word[:1].isalpha()]
    if not words:
        return "?"
    if "@" in (name or ""):
        return words[0][0].upper()
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()
