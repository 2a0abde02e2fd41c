"""Pages of the ratings inbox: the two-pane list and opened rating, replies, quick replies.

Every page is server-rendered; htmx asks for the piece it swaps (named by HX-Target) and
the same URL without htmx answers the whole page, so links are shareable (INB-7).
"""

from __future__ import annotations

import hashlib
from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.selectors import customer_visits, visit_get
from gifts.selectors import customer_gift_counters, rating_gift_panel
from merchants.decorators import member_required
from merchants.selectors import branch_list, member_list
from ratings import services
from ratings.conversation import deliveries_signature, opened_rating
from ratings.forms import (
    BANDS,
    DEFAULT_VIEW,
    INBOX_VIEWS,
    SORT_TOGGLES,
    InboxStateForm,
    QuickReplyForm,
    ReplyForm,
    filters_from_state,
    next_ordering,
)
from ratings.models import CasePriority, CaseStatus
from ratings.selectors import (
    CASE_COUNTS,
    ORDERINGS,
    customer_ratings,
    quick_reply_get,
    quick_reply_list,
    rating_get,
    rating_list,
    rating_signature_rows,
    rating_summary,
)
from ratings_inbox.keyset import InvalidCursor, paginate

# Two screens of rows; more load as the list scrolls. Rendering a row costs more than reading
# it, so a longer first page spent more on rows nobody sees than on its SQL.
PAGE_SIZE = 30
HISTORY_LIMIT = 100
SORT_LABELS = {"score": gettext_lazy("Score"), "customer": gettext_lazy("Customer"), "date": gettext_lazy("Date"),
               "inbox": pgettext_lazy("the inbox column of read and unread ratings", "Read")}


def _htmx_target(request) -> str | None:
    """The element htmx will swap, or None for a whole page (first load, history restore)."""
    if request.headers.get("HX-Request") != "true" or request.headers.get("HX-History-Restore-Request"):
        return None
    return request.headers.get("HX-Target")


def _query(state: dict, **overrides) -> str:
    """The list's state as a query string; defaults are left out so URLs stay short."""
    values = {**state, **overrides}
    view = INBOX_VIEWS[values.get("view") or DEFAULT_VIEW]
    pairs = []
    if view.key != DEFAULT_VIEW:
        pairs.append(("view", view.key))
    if values.get("sort") and values["sort"] != view.ordering:
        pairs.append(("sort", values["sort"]))
    if values.get("branch"):
        pairs.append(("branch", values["branch"]))
    if values.get("date_from"):
        pairs.append(("date_from", values["date_from"].isoformat()))
    if values.get("date_to"):
        pairs.append(("date_to", values["date_to"].isoformat()))
    for name in ("q", "band", "status", "owner", "priority"):
        if values.get(name):
            pairs.append((name, values[name]))
    for name in ("comment", "unread"):
        if values.get(name):
            pairs.append((name, "1"))
    return urlencode(pairs)


# The statuses a member may set (ratings.cases.case_update), offered by the bulk bar (CASE-8).
BULK_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.RESOLVED)
# What Reset clears (INB-5: the search and the dates; CASE-6: the chips and case filters too). It
# keeps the view, the sort order and the branch.
RESET = {"date_from": None, "date_to": None, "q": "", "band": None, "status": None, "owner": None,
         "priority": None, "comment": False, "unread": False}


def inbox_signature(rows, summary: dict, opened=None, delivered: str = "") -> str:
    """A fingerprint of what the open page shows: the first page's rows (id, read, messages, case chips,
    follow-up score), the counters and the open rating with the delivery state of its e-mailed messages
    (THR-2) and its follow-up (ANA-4). Built from rows the page reads anyway, so polling costs the same
    few index scans as the first page, never a count over all ratings (INB-8)."""
    parts = [f"{r.id}:{int(r.is_read)}:{r.messages_count}:{r.status}:{r.priority}:{r.owner_id}:{int(r.needs_reply)}"
             f":{r.followup_score}" for r in rows]
    parts += [f"{key}={summary.get(key)}" for key in
              ("total_ratings", "comments_received", "replies_sent", "unread_comments", *CASE_COUNTS)]
    if opened is not None:
        parts.append(f"open={opened.pk}:{int(opened.is_read)}:{opened.messages_count}:{delivered}"
                     f":{opened.followup_requested_at}:{opened.followup_score}")
    return hashlib.sha1(",".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


class Inbox:
    """The state of one inbox request: list filters, the page of rows and the URLs built from them."""

    def __init__(self, request, *, opened_id: int | None = None):
        self.request = request
        self.merchant = request.merchant
        self.access = request.access
        self.branches = list(branch_list(access=self.access))
        self.form = InboxStateForm(request.GET, branches=self.branches)
        self.state = self.form.state()
        self.filters = filters_from_state(self.state)
        self.query = _query(self.state)
        self.opened_id = opened_id
        self.inbox_url = reverse("ratings:inbox", args=[self.merchant.slug])

    def rating_url(self, rating_id: int) -> str:
        return _with_query(reverse("ratings:rating", args=[self.merchant.slug, rating_id]), self.query)

    def page(self, cursor: str | None = None, *, signature_only: bool = False):
        """The rows of a page; signature_only reads just what inbox_signature() needs, no customer
        and no model instances (every poll that finds nothing new, every action's poller)."""
        ordering = self.state["sort"]
        rows = rating_signature_rows if signature_only else rating_list
        queryset = rows(access=self.access, filters=self.filters)
        try:
            return paginate(queryset, ordering=ordering, columns=ORDERINGS[ordering], cursor=cursor,
                            size=PAGE_SIZE)
        except InvalidCursor:
            return paginate(queryset, ordering=ordering, columns=ORDERINGS[ordering], cursor=None,
                            size=PAGE_SIZE)

    def poller(self, summary: dict, opened) -> dict:
        """The poller's state after an action, so the next poll does not redraw what this user did."""
        return {"signature": self.signature(summary, opened),
                "poll_seconds": getattr(settings, "INBOX_POLL_SECONDS", 15)}

    def signature(self, summary: dict, opened) -> str:
        return inbox_signature(self.page(signature_only=True).rows, summary, opened, self.delivered(opened))

    def delivered(self, opened) -> str:
        return "" if opened is None else deliveries_signature(access=self.access, rating=opened)

    def summary(self) -> dict:
        return rating_summary(access=self.access, filters=self.filters)

    def headers(self) -> list[dict]:
        current = self.state["sort"]
        headers = []
        for column, (first, second) in SORT_TOGGLES.items():
            active = current in (first, second)
            descending = current.startswith("-")
            headers.append({
                "column": column,
                "label": SORT_LABELS[column],
                "url": self.url(sort=next_ordering(column, current)),
                "active": active,
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
            })
        return headers

    def url(self, **overrides) -> str:
        """The inbox's URL with this state, changed by `overrides` (the state's own names)."""
        return _with_query(self.inbox_url, _query(self.state, **overrides))

    @property
    def view(self):
        return INBOX_VIEWS[self.state["view"]]

    def views(self, summary: dict) -> list[dict]:
        """The view tabs with their counts (CASE-6). A view starts in its own default order;
        the filters chosen so far stay, except those the new view fixes or does not allow."""
        tabs = []
        for view in INBOX_VIEWS.values():
            status = self.state["status"] if self.state["status"] in view.statuses else None
            tabs.append({
                "key": view.key, "label": view.label, "active": view.key == self.state["view"],
                "count": summary.get(view.count) if view.count else None,
                "url": self.url(view=view.key, sort=None, status=status,
                                owner=self.state["owner"] if view.owner_filter else None),
            })
        return tabs

    @cached_property
    def chips(self) -> list[dict]:
        """The band chips (one at a time), then "with comment" and "unread": each a link that
        turns itself on or off (CASE-6, INB-1's counters point at them)."""
        chips = [{"key": key, "label": label, "active": self.state["band"] == key,
                  "url": self.url(band=None if self.state["band"] == key else key)}
                 for key, label in BANDS.items()]
        for key, label in (("comment", _("With comment")), ("unread", _("Unread"))):
            chips.append({"key": key, "label": label, "active": self.state[key],
                          "url": self.url(**{key: not self.state[key]})})
        return chips

    @cached_property
    def counter_urls(self) -> dict:
        """Where each counter at the top leads (CASE-6): the list it counts, in the same branch and
        dates (INB-1's counters follow those only, so the other filters are left behind)."""
        base = {**self.state, **RESET, "date_from": self.state["date_from"], "date_to": self.state["date_to"],
                "view": DEFAULT_VIEW, "sort": None}
        return {
            "total_ratings": _with_query(self.inbox_url, _query(base)),
            "comments_received": _with_query(self.inbox_url, _query(base, comment=True)),
            "unread_comments": _with_query(self.inbox_url, _query(base, comment=True, unread=True)),
        }

    def status_choices(self) -> list[tuple[str, str]]:
        return [(value, CaseStatus(value).label) for value in self.view.statuses]

    @cached_property
    def members(self) -> list:
        """Whom the owner filter and the bulk "assign" offer (CASE-3): one statement, read when shown."""
        return list(member_list(access=self.access))

    def list_context(self, page=None, summary=None, opened=None) -> dict:
        page = page or self.page()
        summary = summary if summary is not None else self.summary()
        return {
            "inbox": self,
            "rows": page.rows,
            "next_cursor": page.next_cursor,
            "summary": summary,
            "headers": self.headers(),
            "state": self.state,
            "form": self.form,
            "query": self.query,
            "reset_url": self.url(**RESET),
            "poll_seconds": getattr(settings, "INBOX_POLL_SECONDS", 15),
            "signature": inbox_signature(page.rows, summary, opened, self.delivered(opened)),
            "opened_id": self.opened_id,
            "priorities": CasePriority.choices,
            "bulk_statuses": [(value, CaseStatus(value).label) for value in BULK_STATUSES],
        }


def _detail_context(inbox: Inbox, rating) -> dict:
    access = inbox.access
    customer = rating.customer
    gift_counters = customer_gift_counters(access=access, customer=customer, last_score=True)
    return {
        "rating": rating,
        "customer": customer,
        **opened_rating(access=access, rating=rating),
        "last_score": gift_counters.pop("last_score"),
        "gift_counters": gift_counters,
        "gift_panel": rating_gift_panel(access=access, rating=rating),
        "quick_replies": list(quick_reply_list(access=access)),
        "reply_form": ReplyForm(),
        "rating_url": inbox.rating_url(rating.pk),
        "query": inbox.query,
        "inbox": inbox,
    }


def _open(request, rating_id: int):
    rating = rating_get(access=request.access, id=rating_id)
    services.rating_mark_read(merchant=request.merchant, rating=rating)
    return rating


@require_GET
@member_required()
def inbox(request, merchant_slug, rating_id: int | None = None):
    target = _htmx_target(request)
    page = Inbox(request, opened_id=rating_id)
    if target == "load-more":
        result = page.page(request.GET.get("cursor"))
        return render(request, "ratings/_rows.html",
                      {"rows": result.rows, "next_cursor": result.next_cursor, "inbox": page,
                       "query": page.query, "opened_id": rating_id})
    rating = _open(request, rating_id) if rating_id is not None else None
    if target == "detail-pane" and rating is not None:
        summary = page.summary()
        context = {**_detail_context(page, rating), "summary": summary, **page.poller(summary, rating),
                   "oob": True}
        return render(request, "ratings/_detail_response.html", context)
    context = page.list_context(opened=rating)
    if target == "list-pane":
        response = render(request, "ratings/_list.html", {**context, "oob": True})
        response["HX-Push-Url"] = _with_query(page.inbox_url, page.query)
        return response
    if rating is not None:
        context.update(_detail_context(page, rating))
    return render(request, "ratings/inbox.html", context)


@require_GET
@member_required()
def poll(request, merchant_slug):
    """Answers 204 while nothing changed; otherwise the counters, the first page and the open
    thread, swapped out of band (INB-8)."""
    opened_id = request.GET.get("open")
    # isdigit() alone lets through digits int() refuses ("²"): ASCII digits only.
    page = Inbox(request, opened_id=int(opened_id) if opened_id and opened_id.isascii() and opened_id.isdigit()
                 else None)
    summary = page.summary()
    rating = None
    if page.opened_id is not None:
        rating = rating_get(access=page.access, id=page.opened_id)
    if request.GET.get("sig") == page.signature(summary, rating):
        return HttpResponse(status=204)
    context = {**page.list_context(page.page(), summary, rating), "oob": True}
    if rating is not None:
        context["rating"] = rating
        context.update(opened_rating(access=page.access, rating=rating))
    return render(request, "ratings/_poll.html", context)


@require_POST
@member_required()
def mark_unread(request, merchant_slug, rating_id: int):
    """Staff put a rating back to unread (INB-6)."""
    page = Inbox(request, opened_id=rating_id)
    rating = rating_get(access=request.access, id=rating_id)
    services.rating_mark_unread(merchant=request.merchant, rating=rating)
    if _htmx_target(request) is None:
        return redirect(page.inbox_url + (f"?{page.query}" if page.query else ""))
    messages.success(request, _("Marked unread"))  # the toast, through ratings_inbox.toasts
    summary = page.summary()
    return render(request, "ratings/_unread_response.html",
                  {"rating": rating, "summary": summary, "inbox": page, "query": page.query,
                   "opened_id": rating_id, "oob": True, **page.poller(summary, rating)})


# A reply's undo (issue 17), like the bulk undo: the toast offers it this long and the e-mail waits
# as long in the outbox (not sendable before); the token is honoured a little longer, for a slow
# network, as long as no worker has the e-mail yet.
REPLY_UNDO_SECONDS = 10
REPLY_UNDO_MAX_AGE = 20
REPLY_UNDO_SALT = "ratings.reply-undo"


def _conversation_context(request, page: Inbox, rating, **extra) -> dict:
    """What the conversation, case bar, counters, row and poller of an answer to a reply need."""
    context = {
        "rating": rating,
        **opened_rating(access=request.access, rating=rating),
        "quick_replies": list(quick_reply_list(access=request.access)),
        "reply_form": ReplyForm(),
        "inbox": page,
        "query": page.query,
        "opened_id": rating.pk,
        "oob": True,
        **extra,
    }
    summary = page.summary()
    context.update(summary=summary, **page.poller(summary, rating))
    return context


@require_POST
@member_required()
def reply(request, merchant_slug, rating_id: int):
    """A staff reply (THR-2): shown at once, e-mailed once its undo window ends, counted; an empty
    one is refused."""
    page = Inbox(request, opened_id=rating_id)
    rating = rating_get(access=request.access, id=rating_id)
    form = ReplyForm(request.POST)
    form.is_valid()
    error = message = None
    try:
        message = services.rating_reply(merchant=request.merchant, rating=rating, author=request.user,
                                        body=form.cleaned_data.get("body", ""), hold_seconds=REPLY_UNDO_SECONDS)
    except ValidationError as exc:
        error = " ".join(exc.message_dict.get("body", exc.messages))
    if _htmx_target(request) is None:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Reply sent"))
        return redirect(page.rating_url(rating.pk))
    toast = None
    if message is not None:
        token = signing.dumps({**services.reply_undo_state(message), "r": rating.pk, "u": request.user.pk},
                              salt=REPLY_UNDO_SALT)
        toast = {"text": _("Reply sent"), "undo_token": token,
                 "undo_url": reverse("ratings:reply-undo", args=[request.merchant.slug, rating.pk])}
    context = _conversation_context(request, page, rating, toast=toast, reply_error=error,
                                    undo_seconds=REPLY_UNDO_SECONDS)
    if error:
        context["reply_form"] = ReplyForm(request.POST)
    return render(request, "ratings/_reply_response.html", context)


@require_POST
@member_required()
def reply_undo(request, merchant_slug, rating_id: int):
    """Takes back a reply in its undo window (issue 17): its e-mail never leaves, the thread, the
    case and the counters are as before, and the text is back in the composer to be corrected."""
    page = Inbox(request, opened_id=rating_id)
    rating = rating_get(access=request.access, id=rating_id)
    try:
        state = signing.loads(request.POST.get("token", ""), salt=REPLY_UNDO_SALT, max_age=REPLY_UNDO_MAX_AGE)
    except signing.BadSignature:
        state = None
    error = message = None
    if not state or state.get("r") != rating.pk or state.get("u") != request.user.pk:
        error = _("Too late to undo that.")
    else:
        try:
            message = services.rating_reply_undo(merchant=request.merchant, rating=rating, actor=request.user,
                                                 state=state)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.headers.get("HX-Request") != "true":
        (messages.error if error else messages.success)(request, error or _("Reply undone: it was not sent"))
        return redirect(page.rating_url(rating.pk))
    if error:
        return render(request, "ratings/_toast.html", {"toast_error": error}, status=400)
    context = _conversation_context(request, page, rating, toast=_("Reply undone: it was not sent"),
                                    reply_form=ReplyForm({"body": message.body}), oob_conversation=True)
    return render(request, "ratings/_reply_response.html", context)


@require_GET
@member_required()
def history(request, merchant_slug, rating_id: int):
    """The customer's ratings here, newest first; each opens in the detail pane (DET-2)."""
    page = Inbox(request, opened_id=rating_id)
    rating = rating_get(access=request.access, id=rating_id)
    ratings = list(customer_ratings(access=request.access, customer=rating.customer)[:HISTORY_LIMIT])
    for item in ratings:
        item.url = page.rating_url(item.pk)
    context = {"rating": rating, "customer": rating.customer, "ratings": ratings, "inbox": page}
    return _panel(request, "ratings/_history.html", context,
                  _("History of %(name)s") % {"name": rating.customer.full_name})


@require_GET
@member_required()
def profile(request, merchant_slug, rating_id: int):
    """Personal data and every visit, newest first (DET-3)."""
    rating = rating_get(access=request.access, id=rating_id)
    visits = list(customer_visits(access=request.access, customer=rating.customer))
    return _panel(request, "ratings/_profile.html", {"rating": rating, "customer": rating.customer, "visits": visits},
                  _("Customer profile"))


def _panel(request, template: str, context: dict, title: str):
    """The drawer's panel for htmx; typed or reloaded, the same panel as a page of its own, as the invoice is."""
    if _htmx_target(request):
        return render(request, template, context)
    return render(request, "ratings/panel_page.html", {**context, "panel": template, "title": title, "standalone": True})


@require_GET
@member_required()
def invoice(request, merchant_slug, visit_id: int):
    """The invoice of a visit: number, lines and total with currency (DET-4)."""
    visit = visit_get(access=request.access, id=visit_id)
    template = "ratings/_invoice.html" if _htmx_target(request) else "ratings/invoice_page.html"
    return render(request, template, {"visit": visit, "lines": list(visit.lines.all())})


# --- Quick replies (THR-4): admins keep the list --------------------------------------------

def _form_errors(form, exc: ValidationError):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
@member_required(role="admin")
def quick_replies(request, merchant_slug):
    form = QuickReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.quick_reply_create(merchant=request.merchant, title=form.cleaned_data["title"],
                                        body=form.cleaned_data["body"], actor=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Quick reply saved."))
            return redirect("ratings:quick-replies", merchant_slug=request.merchant.slug)
    return render(request, "ratings/quick_replies.html",
                  {"form": form, "quick_replies": list(quick_reply_list(access=request.access))})


@require_http_methods(["GET", "POST"])
@member_required(role="admin")
def quick_reply_edit(request, merchant_slug, quick_reply_id: int):
    quick_reply = quick_reply_get(access=request.access, id=quick_reply_id)
    form = QuickReplyForm(request.POST or None,
                          initial={"title": quick_reply.title, "body": quick_reply.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.quick_reply_update(merchant=request.merchant, quick_reply=quick_reply,
                                        title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                                        actor=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Quick reply saved."))
            return redirect("ratings:quick-replies", merchant_slug=request.merchant.slug)
    return render(request, "ratings/quick_reply_edit.html", {"form": form, "quick_reply": quick_reply})


@require_POST
@member_required(role="admin")
def quick_reply_delete(request, merchant_slug, quick_reply_id: int):
    quick_reply = quick_reply_get(access=request.access, id=quick_reply_id)
    services.quick_reply_delete(merchant=request.merchant, quick_reply=quick_reply, actor=request.user)
    messages.success(request, _("Quick reply deleted."))
    return redirect("ratings:quick-replies", merchant_slug=request.merchant.slug)

