"""Forms of the inbox pages: the list's state in the query string, bulk actions, replies and quick replies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import OPEN_STATUSES, Band, CasePriority, CaseStatus
from .selectors import DEFAULT_ORDERING, ORDERINGS, SLA_LATE, RatingFilters
from .services import BULK_ACTIONS

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


@dataclass(frozen=True)
class InboxView:
    """One view of the inbox (CASE-6): the filters it fixes, its default order, the summary
    count beside its name (None: no count), and the statuses the status filter may narrow to."""

    key: str
    label: str
    count: str | None
    ordering: str = DEFAULT_ORDERING
    filters: dict = field(default_factory=dict)
    statuses: tuple = tuple(CaseStatus.values)
    owner_filter: bool = True


# Each view's count (CASE-6) is a kept counter of the summary (ratings.counters), except overdue
# and mine, which change with the clock and the reader and read one small index each.
INBOX_VIEWS = {view.key: view for view in (
    InboxView("all", pgettext_lazy("inbox view", "All"), "total_ratings"),
    InboxView("needs_reply", pgettext_lazy("inbox view", "Needs reply"), "needs_reply", "-last_activity_at", {"needs_reply": True}),
    InboxView("mine", pgettext_lazy("inbox view", "Mine"), "my_cases", filters={"owner": "me", "status": list(OPEN_STATUSES)},
              statuses=OPEN_STATUSES, owner_filter=False),
    InboxView("unassigned", pgettext_lazy("inbox view", "Unassigned"), "unassigned_cases",
              filters={"owner": "none", "status": list(OPEN_STATUSES)}, statuses=OPEN_STATUSES,
              owner_filter=False),
    InboxView("overdue", pgettext_lazy("inbox view", "Overdue"), "overdue_cases", "due_at", {"sla": SLA_LATE}, statuses=OPEN_STATUSES),
    InboxView("resolved", pgettext_lazy("inbox view", "Resolved"), "resolved_cases", filters={"status": [CaseStatus.RESOLVED]}, statuses=(),),
)}
DEFAULT_VIEW = "all"
BANDS = {Band.PROMOTER: _("Promoters"), Band.PASSIVE: _("Passives"), Band.DETRACTOR: _("Detractors")}


class OwnerField(forms.CharField):
    """`me`, `none` or a member's user id (CASE-6 owner filter)."""

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        if value in ("me", "none"):
            return value
        if value.isdigit() and 0 < int(value) < 2**31:
            return int(value)
        raise forms.ValidationError(_("Choose me, none or a member."))


class InboxStateForm(forms.Form):
    """View, sort, branch, dates, search and the case filters, all read from the query string
    (INB-3..5, CASE-6), so every list is a URL: shareable, and the back button returns to it."""

    view = forms.ChoiceField(choices=[(k, k) for k in INBOX_VIEWS], required=False)
    sort = forms.ChoiceField(choices=[(k, k) for k in ORDERINGS], required=False)
    branch = forms.TypedChoiceField(label=_("Branch"), coerce=int, required=False, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search customer"), required=False, max_length=100)
    band = forms.ChoiceField(choices=[(k, k) for k in BANDS], required=False)
    status = forms.ChoiceField(choices=CaseStatus.choices, required=False)
    owner = OwnerField(required=False)
    priority = forms.ChoiceField(choices=CasePriority.choices, required=False)
    comment = forms.BooleanField(required=False)
    unread = forms.BooleanField(required=False)

    def __init__(self, data, *, branches):
        super().__init__(data)
        self.fields["branch"].choices = [("", _("All branches"))] + [(b.id, b.name) for b in branches]

    def state(self) -> dict:
        """The valid part of the query: an invalid value is ignored, never an error page. A status
        outside the view's (resolved in Mine) and an owner in a view that fixes it are ignored too."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        view = INBOX_VIEWS[cleaned.get("view") or DEFAULT_VIEW]
        status = cleaned.get("status") or None
        return {
            "view": view.key,
            "sort": cleaned.get("sort") or view.ordering,
            "branch": cleaned.get("branch"),
            "date_from": cleaned.get("date_from"),
            "date_to": cleaned.get("date_to"),
            "q": (cleaned.get("q") or "").strip(),
            "band": cleaned.get("band") or None,
            "status": status if status in view.statuses else None,
            "owner": cleaned.get("owner") if view.owner_filter else None,
            "priority": cleaned.get("priority") or None,
            "comment": bool(cleaned.get("comment")),
            "unread": bool(cleaned.get("unread")),
        }


def filters_from_state(state: dict) -> RatingFilters:
    """The selector's filters of a list state: the view's own, narrowed by the chosen ones."""
    view = INBOX_VIEWS[state["view"]]
    filters = RatingFilters(branch_id=state["branch"], date_from=state["date_from"], date_to=state["date_to"],
                            q=state["q"], band=state["band"], priority=state["priority"],
                            has_comment=True if state["comment"] else None,
                            is_read=False if state["unread"] else None)
    for name, value in view.filters.items():
        setattr(filters, name, value)
    if state["status"]:
        filters.status = [state["status"]]
    if state["owner"] is not None:
        filters.owner = state["owner"]
    return filters


class BulkForm(forms.Form):
    """A bulk action (CASE-8): the rows ticked, or every rating of the list's filter (`all`)."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    all = forms.BooleanField(required=False)
    action = forms.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    value = forms.CharField(required=False, max_length=20)

    def __init__(self, data):
        super().__init__(data)
        # Any whole number is accepted here; ratings_bulk refuses one that is not the member's to see.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and 0 < int(value) < 2**63

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all") and not cleaned.get("ids"):
            raise forms.ValidationError(_("Select at least one rating."))
        action, value = cleaned.get("action"), cleaned.get("value") or ""
        if action == "assign":
            if value not in ("me", "none") and not (value.isdigit() and 0 < int(value) < 2**31):
                self.add_error("value", _("Choose me, nobody or a member."))
        elif action == "status" and value not in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ESCALATED,
                                                  CaseStatus.RESOLVED):
            self.add_error("value", _("Choose new, open, escalated or resolved."))
        elif action == "priority" and value not in CasePriority.values:
            self.add_error("value", _("Choose low, medium, high or critical."))
        return cleaned

    def service_value(self, user_id: int):
        """`value` as ratings_bulk takes it: a user id or None to assign, the status or priority."""
        action, value = self.cleaned_data["action"], self.cleaned_data.get("value") or ""
        if action == "assign":
            return {"me": user_id, "none": None}.get(value, int(value) if value.isdigit() else None)
        return value or None


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class QuickReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
