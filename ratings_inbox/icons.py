"""`{% icon "mail" 16 %}`: the inline SVG of templates/layouts/_icon.html, rendered once.

A builtin tag (settings TEMPLATES "builtins"), so every template has it. Icons never change
while the process runs, so each name and size is rendered once and reused: the inbox shows
an icon on most of its fifty rows, and an include per row cost more than the page's SQL.
"""

from functools import cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


@cache
def _svg(name: str, size: int) -> str:
    return mark_safe(render_to_string("layouts/_icon.html", {"name": name, "size": size}).strip())  # noqa: S308 - our own template


@register.simple_tag
def icon(name: str, size: int = 18) -> str:
    return _svg(name, int(size))
