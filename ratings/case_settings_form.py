"""The case settings page's form (SLA-1): the weekly opening-hours editor read from and written to
the posted fields `<day>-open` (a checkbox) and `<day>-<n>-open` / `<day>-<n>-close` (times).

A time input cannot hold "24:00": a closing time of 00:00 means midnight, so "00:00"-"00:00" is
the whole day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from merchants.hours import DAYS, MAX_INTERVALS_PER_DAY

from .case_settings import day_names

SLOTS = 2  # interval rows the editor shows per day; more appear when a day already has more


@dataclass
class DayRow:
    code: str
    name: str
    is_open: bool
    intervals: list[list[str]]
    error: str = ""


@dataclass
class CaseSettingsForm:
    first_response_hours: str
    always_open: bool
    followup_on_resolve: bool
    days: list[DayRow]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(day.error for day in self.days)


def _slots(intervals: list[list[str]]) -> list[list[str]]:
    shown = [[a, "00:00" if b == "24:00" else b] for a, b in intervals]
    return shown + [["", ""]] * max(SLOTS - len(shown), 0)


def form_from_merchant(merchant) -> CaseSettingsForm:
    schedule = merchant.opening_hours
    names = day_names()
    if schedule is None:  # a sensible start for whoever switches to opening hours
        schedule = {day: [["09:00", "18:00"]] if day not in ("sat", "sun") else [] for day in DAYS}
    return CaseSettingsForm(
        first_response_hours=str(merchant.first_response_hours), always_open=merchant.opening_hours is None,
        followup_on_resolve=merchant.followup_on_resolve,
        days=[DayRow(day, names[day], bool(schedule[day]), _slots(schedule[day])) for day in DAYS])


def form_from_post(post) -> tuple[CaseSettingsForm, dict]:
    """The form as posted and, when the form itself has no error, the values for
    ratings.case_settings.case_settings_set (opening_hours still to be checked by it)."""
    names = day_names()
    form = CaseSettingsForm(first_response_hours=post.get("first_response_hours", "").strip(),
                            always_open=post.get("mode") != "hours",
                            followup_on_resolve=post.get("followup_on_resolve") in {"1", "on", "true"}, days=[])
    schedule = {}
    for day in DAYS:
        pairs = [[post.get(f"{day}-{n}-open", "").strip(), post.get(f"{day}-{n}-close", "").strip()]
                 for n in range(MAX_INTERVALS_PER_DAY)]
        filled = [pair for pair in pairs if pair[0] or pair[1]]
        row = DayRow(day, names[day], post.get(f"{day}-open") in {"1", "on", "true"}, _slots(filled))
        if row.is_open and not form.always_open:
            if not filled:
                row.error = _("Give at least one interval, or mark the day closed.")
            elif any(not a or not b for a, b in filled):
                row.error = _("Each interval needs an opening and a closing time.")
        schedule[day] = [[a, "24:00" if b == "00:00" else b] for a, b in filled] if row.is_open else []
        form.days.append(row)
    hours = form.first_response_hours
    if not hours.isdigit():
        form.errors["first_response_hours"] = _("Write a whole number of hours, from 1 to 720.")
    values = {"first_response_hours": int(hours) if hours.isdigit() else 0,
              "opening_hours": None if form.always_open else schedule,
              "followup_on_resolve": form.followup_on_resolve}
    return form, values


def form_add_errors(form: CaseSettingsForm, error_dict: dict) -> None:
    """Places a service's ValidationError (its error_dict) on the form: opening-hours messages
    on their weekday (their code), the rest by field."""
    rows = {day.code: day for day in form.days}
    for name, errors in error_dict.items():
        for error in errors:
            text = " ".join(error.messages)
            if name == "opening_hours" and error.code in rows:
                rows[error.code].error = text.split(": ", 1)[-1]
            else:
                form.errors[name] = text
