"""Forms of the inbox pages: the list's state in the query string, replies and quick replies."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import DEFAULT_ORDERING, ORDERINGS, RatingFilters

# Each header toggle: (ordering after the first click, ordering after the second) — INB-3.
SORT_TOGGLES = {
    "score": ("-score", "score"),
    "customer": ("customer", "-customer"),
    "date": ("created_at", "-created_at"),
    "inbox": ("is_read", "-is_read"),
}


def next_ordering(column: str, current: str) -> str:
    """What a click on a header gives: the first state, or the second when already in the first."""
    first, second = SORT_TOGGLES[column]
    return second if current == first else first


class InboxStateForm(forms.Form):
    """Sort, branch, dates and name search, all read from the query string (INB-3..5)."""

    sort = forms.ChoiceField(choices=[(k, k) for k in ORDERINGS], required=False)
    branch = forms.TypedChoiceField(label=_("Branch"), coerce=int, required=False, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search customer"), required=False, max_length=100)

    def __init__(self, data, *, branches):
        super().__init__(data)
        self.fields["branch"].choices = [("", _("All branches"))] + [(b.id, b.name) for b in branches]

    def state(self) -> dict:
        """The valid part of the query: an invalid value is ignored, never an error page."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "sort": cleaned.get("sort") or DEFAULT_ORDERING,
            "branch": cleaned.get("branch"),
            "date_from": cleaned.get("date_from"),
            "date_to": cleaned.get("date_to"),
            "q": (cleaned.get("q") or "").strip(),
        }


def filters_from_state(state: dict) -> RatingFilters:
    return RatingFilters(branch_id=state["branch"], date_from=state["date_from"], date_to=state["date_to"],
                         q=state["q"])


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class QuickReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
