"""The case settings of a merchant (SLA-1): first-response target, opening hours, follow-up switch.

Changing the target or the hours moves the due times of the cases still waiting for a first
reply (open and unanswered), in the same transaction: a merchant who widens the target to 48
hours expects today's overdue list to shrink now, and one who sets opening hours expects the
night not to count for the case that arrived at 23:00. Answered and resolved cases keep the
due time they were judged by (met or missed is history). The kept counters (ratings.counters)
do not depend on due times; the overdue count is read from the index at each request.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants import hours
from merchants.access import Access
from merchants.models import Merchant
from merchants.services import audit_record

from .models import OPEN_STATUSES, Rating

FIRST_RESPONSE_MIN_HOURS = 1
FIRST_RESPONSE_MAX_HOURS = 720
RECOMPUTE_BATCH = 2000


def schedule_messages() -> dict[str, str]:
    """The wording of merchants.hours.schedule_errors, in the reader's language."""
    return {
        "shape": _('Opening hours are, per weekday, a list of ["HH:MM", "HH:MM"] intervals.'),
        "format": _("Write times as HH:MM, from 00:00 to 23:59 (24:00 may close the day)."),
        "order": _("Each interval must open before it closes."),
        "overlap": _("Intervals must not overlap and must go from earliest to latest."),
        "too_many": _("At most %(count)s intervals a day.") % {"count": hours.MAX_INTERVALS_PER_DAY},
        "closed": _("Open at least one day, or choose “Always open”."),
    }


def day_names() -> dict[str, str]:
    return {"mon": _("Monday"), "tue": _("Tuesday"), "wed": _("Wednesday"), "thu": _("Thursday"),
            "fri": _("Friday"), "sat": _("Saturday"), "sun": _("Sunday")}


def opening_hours_check(value) -> dict | None:
    """A schedule as stored (lists of ["HH:MM", "HH:MM"], every weekday present), or None for
    always open; a ValidationError on `opening_hours` whose messages carry the weekday as code."""
    if value is None:
        return None
    errors = hours.schedule_errors(value, schedule_messages())
    if errors:
        names = day_names()
        raise ValidationError({"opening_hours": [
            ValidationError(f"{names[day]}: {text}" if day else text, code=day or "invalid")
            for day, text in errors.items()]})
    return {day: [[a, b] for a, b in value[day]] for day in hours.DAYS}


def case_targets(merchant: Merchant, opened_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(at risk from, due at) of a case of `merchant` opened at `opened_at` (SLA-1, SLA-2)."""
    return hours.case_targets(opened_at, dt.timedelta(hours=merchant.first_response_hours),
                              schedule=merchant.opening_hours, zone=merchant.timezone)


def _merchant_clock(merchant: Merchant):
    """case_targets of many cases of `merchant`, one clock for them all."""
    clock = hours.OpenClock(merchant.opening_hours, merchant.timezone)
    target = dt.timedelta(hours=merchant.first_response_hours)
    return lambda opened_at: clock.case_targets(opened_at, target)


def check_case_settings_access(access: Access) -> None:
    """403 unless an admin who sees every branch: the target moves the due times of every branch's
    cases (TEN-5), as the retention setting does (privacy.services.check_privacy_access)."""
    if not access.has_role("admin"):
        raise PermissionDenied(_("Only an admin may do this."))
    if access.restricted:
        raise PermissionDenied(_("Only an admin who sees every branch may do this."))


@transaction.atomic
def case_settings_set(*, access: Access, actor, first_response_hours: int, opening_hours: dict | None,
                      followup_on_resolve: bool) -> Merchant:
    """Sets the case settings (SLA-1), all or nothing, and moves the due times of the cases
    waiting for a first reply when the target or the hours changed."""
    check_case_settings_access(access)
    if isinstance(first_response_hours, bool) or not isinstance(first_response_hours, int) or not (
            FIRST_RESPONSE_MIN_HOURS <= first_response_hours <= FIRST_RESPONSE_MAX_HOURS):
        raise ValidationError({"first_response_hours": _("Between %(min)s and %(max)s hours.") % {
            "min": FIRST_RESPONSE_MIN_HOURS, "max": FIRST_RESPONSE_MAX_HOURS}})
    opening_hours = opening_hours_check(opening_hours)
    merchant = Merchant.objects.select_for_update().get(pk=access.merchant_id)
    before = {"first_response_hours": merchant.first_response_hours, "opening_hours": merchant.opening_hours,
              "followup_on_resolve": merchant.followup_on_resolve}
    after = {"first_response_hours": first_response_hours, "opening_hours": opening_hours,
             "followup_on_resolve": followup_on_resolve}
    if before == after:
        return merchant
    for name, value in after.items():
        setattr(merchant, name, value)
    merchant.save(update_fields=list(after))
    audit_record(merchant=merchant, actor=actor, action="case_settings.update", obj=merchant,
                 data={"from": before, "to": after})
    if (before["first_response_hours"], before["opening_hours"]) != (first_response_hours, opening_hours):
        waiting_cases_retarget(merchant)
    return merchant


def waiting_cases_retarget(merchant: Merchant) -> int:
    """Recomputes at_risk_at, due_at and due_order of the merchant's open cases without a first
    reply from their opening time, in batches of RECOMPUTE_BATCH (key-set on id, read through
    the rating_unanswered_due index), one UPDATE … FROM unnest(arrays) each. Returns how many."""
    waiting = Rating.objects.filter(merchant_id=merchant.pk, status__in=OPEN_STATUSES,
                                    first_response_at__isnull=True).order_by("id")
    done, last_id = 0, 0
    targets = _merchant_clock(merchant)
    while True:
        batch = list(waiting.filter(id__gt=last_id).values_list("id", "case_opened_at")[:RECOMPUTE_BATCH])
        if not batch:
            return done
        rows = [(rating_id, *targets(opened_at)) for rating_id, opened_at in batch]
        _update_targets(merchant.pk, rows)
        done += len(rows)
        last_id = batch[-1][0]


def _column(name: str) -> str:
    return connection.ops.quote_name(Rating._meta.get_field(name).column)


# The SLA alert stage (SLA-3) moves up to what the new targets have already passed: a changed target
# sends no alert about moments it put in the past, only about those still to come.
_UPDATE_SQL = """
    UPDATE {table} AS r SET {at_risk} = v.at_risk, {due} = v.due, {due_order} = v.due,
           {alerted} = GREATEST(r.{alerted}, CASE WHEN v.due <= %s THEN 2 WHEN v.at_risk <= %s THEN 1 ELSE 0 END)
    FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS v(id, at_risk, due)
    WHERE r.{merchant} = %s AND r.{id} = v.id AND r.{first_response} IS NULL
"""


def _update_targets(merchant_id: int, rows: list[tuple[int, dt.datetime, dt.datetime]]) -> None:
    sql = _UPDATE_SQL.format(
        table=connection.ops.quote_name(Rating._meta.db_table), at_risk=_column("at_risk_at"), due=_column("due_at"),
        due_order=_column("due_order"), merchant=_column("merchant"), id=_column("id"),
        first_response=_column("first_response_at"), alerted=_column("sla_alerted"))
    ids, at_risk, due = (list(column) for column in zip(*rows, strict=True))
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now, ids, at_risk, due, merchant_id])
