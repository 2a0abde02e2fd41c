"""The case bar's actions and internal notes on an opened rating (CASE-1..5).

Each action posts here and calls ratings.cases.case_update or ratings.services.note_add, the
services the API uses too. With htmx the answer is the refreshed case bar (or conversation),
the thread out of band and a toast; a refused change is shown in the bar and writes nothing.
Without htmx, a redirect back to the rating with the outcome as a message.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.decorators import member_required
from ratings import cases, followup, services
from ratings.conversation import opened_rating
from ratings.forms import ReplyForm
from ratings.models import CasePriority, CaseStatus
from ratings.selectors import quick_reply_list, rating_get

from .views import Inbox, _htmx_target

CASE_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.RESOLVED)
ASSIGN_TO_ME = "me"


class CaseChangeForm(forms.Form):
    """One change from the case bar: a status button, the priority or the owner select, or
    "assign to me". Only the fields posted are changed, so a stale page never undoes another
    member's change to a field it did not touch."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in CASE_STATUSES], required=False)
    priority = forms.ChoiceField(choices=CasePriority.choices, required=False)
    # "me", "" for nobody, or a member's user id; whether they may own it is the service's check.
    owner = forms.RegexField(regex=r"^(me|\d{1,18})?$", required=False)

    def changes(self, user) -> dict:
        """The service's keyword arguments for what was posted; ValidationError when invalid."""
        if not self.is_valid():
            raise ValidationError({name: errors for name, errors in self.errors.items()})
        changes = {name: self.cleaned_data[name] for name in ("status", "priority", "owner") if name in self.data}
        if not changes or any(changes.get(name) == "" for name in ("status", "priority")):
            raise ValidationError(_("Choose what to change."))
        if "owner" in changes:
            owner = changes["owner"]
            changes["owner"] = user.pk if owner == ASSIGN_TO_ME else int(owner) if owner else None
        return changes


def _done(changes: dict, user, case) -> str:
    """The toast after a change: what happened, in a few words."""
    if "status" in changes:
        return {
            CaseStatus.NEW: _("Case opened"), CaseStatus.OPEN: _("Case reopened"),
            CaseStatus.ESCALATED: _("Case escalated"), CaseStatus.RESOLVED: _("Case resolved"),
        }[changes["status"]]
    if "priority" in changes:
        return _("Priority: %(priority)s") % {"priority": CasePriority(changes["priority"]).label}
    if changes["owner"] is None:
        return _("Case unassigned")
    if changes["owner"] == user.pk:
        return _("Assigned to you")
    return _("Assigned to %(name)s") % {"name": case.owner_name}


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(message for errors in exc.message_dict.values() for message in errors)
    return " ".join(exc.messages)


def _case_context(request, rating, error: str | None) -> dict:
    """What the answer to a case change needs: the bar (with the refusal, if any) and the thread, and,
    out of band, the counters, the rating's row and the poller with the new signature, so the next poll
    does not redraw what this answer already shows (and the refusal with it)."""
    page = Inbox(request, opened_id=rating.pk)
    summary = page.summary()
    return {"rating": rating, **opened_rating(access=request.access, rating=rating), "case_error": error,
            "inbox": page, "query": page.query, "opened_id": rating.pk, "oob": True, "oob_thread": True,
            "summary": summary, **page.poller(summary, rating)}


@require_POST
@member_required()
def case_change(request, merchant_slug, rating_id: int):
    """Status, priority or owner of the rating's case, as the case bar posts them (CASE-1..3)."""
    rating = rating_get(access=request.access, id=rating_id)
    form = CaseChangeForm(request.POST)
    error = toast = None
    try:
        changes = form.changes(request.user)
        rating = cases.case_update(access=request.access, rating=rating, actor=request.user, **changes)
    except ValidationError as exc:
        error = _error_text(exc)
    if _htmx_target(request) is None:
        page = Inbox(request, opened_id=rating_id)
        if error:
            messages.error(request, error)
        return redirect(page.rating_url(rating.pk))
    context = _case_context(request, rating, error)
    if error is None:
        toast = _done(changes, request.user, context["case"])
    return render(request, "ratings/_case_response.html", {**context, "toast": toast, "toast_error": error})


@require_POST
@member_required()
def followup_request(request, merchant_slug, rating_id: int):
    """"Ask the customer again" on a resolved case (ANA-4): the follow-up e-mail, once."""
    rating = rating_get(access=request.access, id=rating_id)
    error = None
    try:
        rating = followup.followup_request(access=request.access, rating=rating, actor=request.user)
    except ValidationError as exc:
        error = _error_text(exc)
    if _htmx_target(request) is None:
        if error:
            messages.error(request, error)
        return redirect(Inbox(request, opened_id=rating_id).rating_url(rating.pk))
    context = _case_context(request, rating, error)
    toast = None if error else _("We asked %(name)s to rate us again.") % {"name": rating.customer.full_name}
    return render(request, "ratings/_case_response.html", {**context, "toast": toast, "toast_error": error})


@require_POST
@member_required()
def note(request, merchant_slug, rating_id: int):
    """An internal note (CASE-4): in the thread for members only, never to the customer."""
    page = Inbox(request, opened_id=rating_id)
    rating = rating_get(access=request.access, id=rating_id)
    body = request.POST.get("body", "")
    error = None
    try:
        services.note_add(merchant=request.merchant, rating=rating, author=request.user, body=body)
    except ValidationError as exc:
        error = _error_text(exc)
    if _htmx_target(request) is None:
        if error:
            messages.error(request, error)
        return redirect(page.rating_url(rating.pk))
    summary = page.summary()
    return render(request, "ratings/_note_response.html", {
        "rating": rating, **opened_rating(access=request.access, rating=rating),
        "quick_replies": list(quick_reply_list(access=request.access)), "reply_form": ReplyForm(),
        "composer_mode": "note", "note_body": body if error else "", "note_error": error,
        "toast": None if error else _("Note added. Only your team sees it."),
        "inbox": page, "query": page.query, "opened_id": rating_id, "summary": summary,
        **page.poller(summary, rating),
    })
