"""Strict reading of query parameters: a bad value is a 400 naming the parameter (API-3)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

_INT = re.compile(r"^-?[0-9]{1,18}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _raw(request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if "\x00" in value:
        raise ValidationError({name: [_("Null characters are not allowed.")]})
    return value


def integer(request, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    value = _raw(request, name)
    if value is None:
        return None
    if not _INT.match(value):
        raise ValidationError({name: [_("A whole number is required.")]})
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValidationError({name: [_("Must be at least %(n)s.") % {"n": minimum}]})
    if maximum is not None and number > maximum:
        raise ValidationError({name: [_("Must be at most %(n)s.") % {"n": maximum}]})
    return number


def identifier(request, name: str) -> int | None:
    return integer(request, name, minimum=1, maximum=2**63 - 1)


def date(request, name: str) -> dt.date | None:
    value = _raw(request, name)
    if value is None:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        # Any calendar day, 0001-01-01 and 9999-12-31 included: day_bounds takes them as no bound.
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: [_("A date YYYY-MM-DD is required.")]}) from exc


def boolean(request, name: str) -> bool | None:
    value = _raw(request, name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise ValidationError({name: [_("Must be true or false.")]})
    return value == "true"


def choice(request, name: str, choices, default=None):
    value = _raw(request, name)
    if value is None:
        return default
    if value not in choices:
        raise ValidationError({name: [_("Must be one of: %(c)s.") % {"c": ", ".join(choices)}]})
    return value


def text(request, name: str, *, max_length: int = 200) -> str:
    value = _raw(request, name) or ""
    if len(value) > max_length:
        raise ValidationError({name: [_("At most %(n)s characters.") % {"n": max_length}]})
    return value
