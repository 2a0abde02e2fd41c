"""Fills the auto-reply's placeholders by plain substitution, never a template language (AR-2).

`{first_name}` `{full_name}` `{merchant}` `{branch}` `{score}` `{visit_date}` are replaced;
`{{` and `}}` write a literal brace; anything else in braces, or a brace on its own, is
refused with a message naming it. Values are inserted as they are and never parsed again,
so a customer called "{merchant}" stays "{merchant}".

`{visit_date}` is the visit's local date in the merchant's time zone: `23/11/2026` in
Spanish and `23 Nov 2026` in English (day first, month as a word, so it cannot be misread
on either side of the Atlantic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PLACEHOLDERS = ("first_name", "full_name", "merchant", "branch", "score", "visit_date")
# What each one is, for the people who write the texts (the auto-reply and the quick replies).
LABELS = {
    "first_name": gettext_lazy("First name"), "full_name": gettext_lazy("Full name"),
    "merchant": gettext_lazy("Business name"), "branch": gettext_lazy("Branch"),
    "score": gettext_lazy("Score"), "visit_date": gettext_lazy("Visit date"),
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,40})\}|\{|\}")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PlaceholderError(ValueError):
    """The first problem found in a text, as a message for the person who wrote it."""


def format_visit_date(value: date, language: str) -> str:
    if language == "en":
        return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


@dataclass(frozen=True)
class Values:
    first_name: str
    full_name: str
    merchant: str
    branch: str
    score: str
    visit_date: str

    @classmethod
    def for_rating(cls, rating, merchant) -> Values:
        visit = rating.visit
        local: datetime = visit.visited_at.astimezone(ZoneInfo(merchant.timezone))
        full_name = rating.customer.full_name.strip()
        return cls(
            first_name=full_name.split()[0] if full_name else "",
            full_name=full_name,
            merchant=merchant.name,
            branch=rating.branch.name,
            score=str(rating.score),
            visit_date=format_visit_date(local.date(), merchant.language),
        )


def fill(text: str, values: Values | None) -> str:
    """The text with placeholders replaced; raises PlaceholderError naming the first problem.

    With values=None it only checks the text (what saving does).
    """
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(text[position:match.start()])
        position = match.end()
        token = match.group(0)
        if token == "{{":
            out.append("{")
        elif token == "}}":
            out.append("}")
        elif match.group(1) is not None:
            name = match.group(1)
            if name not in PLACEHOLDERS:
                raise PlaceholderError(
                    _("Unknown placeholder {%(name)s}. Use one of: %(known)s, or write {{ and }} for a brace.")
                    % {"name": name, "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)}
                )
            out.append("" if values is None else getattr(values, name))
        else:
            raise PlaceholderError(
                _("Stray “%(brace)s” at character %(position)s: write %(double)s for a literal brace.")
                % {"brace": token, "position": match.start() + 1, "double": token * 2}
            )
    out.append(text[position:])
    return "".join(out)


def fill_subject(text: str, values: Values) -> str:
    """A subject is one line: line breaks that a value might carry become spaces."""
    return " ".join(fill(text, values).split())
