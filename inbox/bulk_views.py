"""Bulk actions on the inbox's rows and their undo (CASE-8).

The bar posts the ticked ids, or `all` for every rating of the list's filter (the list's state is
the query string, as on every inbox URL); one service call changes them all or none. The answer
redraws the counters, the view tabs and the first page, and shows a toast whose "Undo" posts back
the values from before, signed so that only they can be restored, for a few seconds.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from merchants.decorators import member_required
from ratings import services
from ratings.forms import BulkForm
from ratings.models import CasePriority, CaseStatus
from ratings.selectors import rating_count, rating_ids
from ratings_inbox import l10n

from .views import Inbox, _with_query

# "Every rating of the current filter", up to this many (CASE-8).
BULK_MAX = 5000
# The browser offers the undo this long; the server honours its token a little longer, for a slow network.
UNDO_SECONDS = 10
UNDO_MAX_AGE = 60
UNDO_SALT = "ratings.bulk-undo"


def _number(n: int) -> str:
    return l10n.number(n)


def _done_text(action: str, value, n: int) -> str:
    """'3 ratings assigned' and the like, for the toast."""
    count = {"n": _number(n)}
    if action == "read":
        return ngettext("%(n)s rating marked read", "%(n)s ratings marked read", n) % count
    if action == "unread":
        return ngettext("%(n)s rating marked unread", "%(n)s ratings marked unread", n) % count
    if action == "assign" and value is None:
        return ngettext("%(n)s rating unassigned", "%(n)s ratings unassigned", n) % count
    if action == "assign":
        return ngettext("%(n)s rating assigned", "%(n)s ratings assigned", n) % count
    if action == "status":
        return ngettext("Status %(status)s on %(n)s rating", "Status %(status)s on %(n)s ratings", n) % {
            **count, "status": CaseStatus(value).label}
    return ngettext("Priority %(priority)s on %(n)s rating", "Priority %(priority)s on %(n)s ratings", n) % {
        **count, "priority": CasePriority(value).label}


def _answer(request, page: Inbox, toast: dict, *, status: int = 200):
    """The counters, tabs, first page and poller redrawn, and the toast; without htmx, the list again."""
    if request.headers.get("HX-Request") != "true":
        (messages.error if toast.get("error") else messages.success)(request, toast["text"])
        return redirect(_with_query(page.inbox_url, page.query))
    context = {**page.list_context(), "oob": True, "toast": toast, "undo_seconds": UNDO_SECONDS}
    return render(request, "ratings/_bulk_response.html", context, status=status)


def _refused(request, page: Inbox, text: str):
    return _answer(request, page, {"text": text, "error": True}, status=400)


def _errors(exc: ValidationError) -> str:
    return " ".join(message for messages_ in exc.message_dict.values() for message in messages_)


@require_POST
@member_required()
def bulk(request, merchant_slug):
    page = Inbox(request)
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _refused(request, page, " ".join(" ".join(errors) for errors in form.errors.values()))
    ids = form.cleaned_data["ids"]
    if form.cleaned_data["all"]:
        ids = rating_ids(access=request.access, filters=page.filters, limit=BULK_MAX + 1)
        if len(ids) > BULK_MAX:
            return _refused(request, page, _("More than %(max)s ratings match: narrow the filters.")
                            % {"max": _number(BULK_MAX)})
        if not ids:
            return _refused(request, page, _("No ratings match these filters."))
    action, value = form.cleaned_data["action"], form.service_value(request.user.pk)
    try:
        previous = services.ratings_bulk_undoable(access=request.access, actor=request.user, ids=ids,
                                                  action=action, value=value)
    except ValidationError as exc:
        return _refused(request, page, _errors(exc))
    token = signing.dumps({"m": request.merchant.pk, "u": request.user.pk, "a": action, "p": previous},
                          salt=UNDO_SALT, compress=True)
    return _answer(request, page, {"text": _done_text(action, value, len(previous)), "undo_token": token})


@require_POST
@member_required()
def bulk_undo(request, merchant_slug):
    """Restores the values a bulk action replaced, through the services (logged, CASE-5)."""
    page = Inbox(request)
    try:
        done = signing.loads(request.POST.get("token", ""), salt=UNDO_SALT, max_age=UNDO_MAX_AGE)
    except signing.BadSignature:
        done = None
    if not done or done.get("m") != request.merchant.pk or done.get("u") != request.user.pk:
        return _refused(request, page, _("Too late to undo that."))
    try:
        n = services.ratings_bulk_undo(access=request.access, actor=request.user, action=done["a"],
                                       previous=done["p"])
    except ValidationError as exc:
        return _refused(request, page, _errors(exc))
    return _answer(request, page, {"text": ngettext("%(n)s rating as it was", "%(n)s ratings as they were", n)
                                   % {"n": _number(n)}})


@require_GET
@member_required()
def bulk_count(request, merchant_slug):
    """How many ratings the list's filter matches, for "select all N matching" (CASE-8)."""
    page = Inbox(request)
    count = rating_count(access=request.access, filters=page.filters, up_to=BULK_MAX + 1)
    return render(request, "ratings/_bulk_all.html", {"count": count, "too_many": count > BULK_MAX,
                                                      "max": BULK_MAX})
