"""The analytics filters of a query string, for the API and the page alike (API.md "Analytics"):
`date_from`, `date_to`, `branch`, `interval`; a bad value is a ValidationError naming it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.access import Access
from merchants.models import Branch

from .selectors import INTERVALS, AnalyticsFilters, default_range

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID = re.compile(r"[0-9]{1,18}")


def _date(query, name: str) -> dt.date | None:
    value = (query.get(name) or "").strip()
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: _("A date YYYY-MM-DD is required.")}) from exc


def branch_from(query, access: Access) -> int | None:
    """The branch filter: a branch of the merchant within the access's branches, else 400 on it."""
    value = (query.get("branch") or "").strip()
    if not value:
        return None
    if not _ID.fullmatch(value):
        raise ValidationError({"branch": _("Not a branch of this merchant.")})
    branch_id = int(value)
    if not access.sees_branch(branch_id) or not access.scope(Branch.objects, branch="id").filter(
            pk=branch_id).exists():
        raise ValidationError({"branch": _("Not a branch of this merchant.")})
    return branch_id


def filters_from(query, access: Access, *, now: dt.datetime | None = None) -> AnalyticsFilters:
    """The range (by default the 90 days up to today in the merchant's time zone), branch and interval."""
    today = (now or timezone.now()).astimezone(ZoneInfo(access.merchant.timezone)).date()
    date_from, date_to = default_range(today, _date(query, "date_from"), _date(query, "date_to"))
    if date_from > date_to:
        raise ValidationError({"date_from": _("The first day must not be after the last.")})
    interval = query.get("interval") or "week"
    if interval not in INTERVALS:
        raise ValidationError({"interval": _("Must be one of: %(c)s.") % {"c": ", ".join(INTERVALS)}})
    return AnalyticsFilters(date_from=date_from, date_to=date_to, branch_id=branch_from(query, access),
                            interval=interval)
