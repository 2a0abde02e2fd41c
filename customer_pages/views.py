"""Customer pages reached by signed links (CUS-1..4, ANA-4): rate a visit, the conversation,
unsubscribe, and rate a resolved case again.

No login: the signed token names the merchant and the object, and every query runs under
that merchant's tenant, so a page can only ever show its own customer's rows. A bad or
forged token is a 404. Pages speak the browser's language (Spanish or English).

A link that names nothing (mangled, forged, cut short by a mail client) gets our own page in the
browser's language with status 404, never Django's technical page, whatever DEBUG says.

SEC-6: an expired rate, conversation or follow-up link gets a page saying so, with status 410 Gone
(the link was genuine, unlike a forged one's 404, and will not work again: link checkers
and crawlers drop it). A form posted more often than its link allows gets a 429 page with
Retry-After.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import wraps
from math import ceil
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from customers.links import Link, conversation_path, post_wait_seconds, read_token
from customers.models import Customer, Visit
from customers.services import customer_opt_out
from gifts.selectors import grant_list
from intake.services import rating_received
from merchants import tenancy
from merchants.access import Access
from merchants.models import Merchant
from ratings.models import Rating
from ratings.selectors import customer_thread
from ratings.services import customer_message_add, followup_answer
from ratings_inbox.errors import Conflict, messages_by_field

SCORES = range(1, 11)


def customer_page(view):
    """A customer's page: an unknown link is our 404 page in the browser's language (CUS-4)."""

    @wraps(view)
    def page(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            with translation.override(translation.get_language_from_request(request)):
                return _render(request, "public/not_found.html", {"merchant": None}, status=404)

    return page


def _link(purpose: str, token: str) -> Link:
    link = read_token(purpose, token)
    if link is None:
        raise Http404("Unknown link.")
    return link


@contextmanager
def _customer_context(request, merchant_id: int):
    """The token's merchant for row-level security, the browser's language, the merchant's clock."""
    language = translation.get_language_from_request(request)
    with tenancy.tenant(merchant_id), translation.override(language):
        yield


def _render(request, template, context, status=200):
    response = render(request, template, context, status=status)
    # The token is a credential: never sent to other sites. (not "no-referrer": Chromium then
    # posts forms with "Origin: null", which Django's CSRF check rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _refusal(request, link: Link):
    """The page for an expired link (410) or a form posted too often (429); None to go on."""
    wait = 0
    if link.expired:
        template, status, context = "public/expired.html", 410, {"days": settings.CUSTOMER_LINK_MAX_AGE_DAYS}
    elif request.method == "POST" and (wait := post_wait_seconds(link)):
        template, status, context = "public/throttled.html", 429, {"minutes": ceil(wait / 60)}
    else:
        return None
    with _customer_context(request, link.merchant_id):
        merchant = Merchant.objects.filter(pk=link.merchant_id).first()
        if merchant is None:
            raise Http404("Unknown link.")
        response = _render(request, template, {"merchant": merchant, **context}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
@customer_page
def rate(request, token):
    """CUS-1: one rating per visit; sending again adds the comment to the conversation."""
    link = _link("rate", token)
    if (refusal := _refusal(request, link)) is not None:
        return refusal
    merchant_id, visit_id = link.merchant_id, link.object_id
    with _customer_context(request, merchant_id):
        visit = (Visit.objects.select_related("merchant", "branch", "customer")
                 .filter(merchant_id=merchant_id, pk=visit_id).first())
        if visit is None:
            raise Http404("Unknown link.")
        merchant = visit.merchant
        rating = Rating.objects.filter(merchant=merchant, visit=visit).first()
        errors: dict[str, str] = {}
        form = {"score": request.POST.get("score", ""), "comment": request.POST.get("comment", "")}
        if request.method == "POST":
            comment = form["comment"].strip()
            if rating is None:
                score = _score(form["score"])
                if score is None:
                    errors["score"] = translation.gettext("Choose a score from 1 to 10.")
                else:
                    try:
                        rating = rating_received(merchant=merchant, visit=visit, score=score, comment=comment or None)
                        return redirect(conversation_path(rating) + "?thanks=1")
                    except Conflict:
                        rating = Rating.objects.get(merchant=merchant, visit=visit)
                    except ValidationError as exc:
                        errors = messages_by_field(exc)
            if rating is not None and not errors:
                if not comment:
                    return redirect(conversation_path(rating))
                try:
                    customer_message_add(merchant=merchant, rating=rating, body=comment)
                    return redirect(conversation_path(rating) + "?sent=1")
                except ValidationError as exc:
                    errors = {"comment": " ".join(messages_by_field(exc).values())}
        local_visit = timezone.localtime(visit.visited_at, ZoneInfo(merchant.timezone))
        context = {"merchant": merchant, "visit": visit, "visited_on": local_visit, "rating": rating,
                   "errors": errors, "form": form, "scores": SCORES,
                   "conversation_path": conversation_path(rating) if rating else None}
        return _render(request, "public/rate.html", context, status=400 if errors else 200)


def _score(raw) -> int | None:
    try:
        score = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return score if 1 <= score <= 10 else None


@require_http_methods(["GET", "POST"])
@customer_page
def conversation(request, token):
    """CUS-2: the thread, a reply box (the reply makes the rating unread) and the customer's gifts."""
    link = _link("conversation", token)
    if (refusal := _refusal(request, link)) is not None:
        return refusal
    merchant_id, rating_id = link.merchant_id, link.object_id
    with _customer_context(request, merchant_id):
        rating = (Rating.objects.select_related("merchant", "branch", "customer", "visit")
                  .filter(merchant_id=merchant_id, pk=rating_id).first())
        if rating is None:
            raise Http404("Unknown link.")
        merchant = rating.merchant
        errors: dict[str, str] = {}
        body = ""
        if request.method == "POST":
            body = request.POST.get("body", "")
            try:
                customer_message_add(merchant=merchant, rating=rating, body=body)
                return redirect(request.path + "?sent=1#reply")
            except ValidationError as exc:
                errors = messages_by_field(exc)
        zone = ZoneInfo(merchant.timezone)
        # The customer's own conversation and gifts: the whole merchant, no member.
        access = Access.system(merchant)
        with timezone.override(zone):
            context = {
                "merchant": merchant, "rating": rating, "thread": customer_thread(access=access, rating=rating),
                "grants": list(grant_list(access=access, customer=rating.customer)[:50]),
                "visited_on": timezone.localtime(rating.visit.visited_at, zone), "errors": errors, "body": body,
                "sent": request.GET.get("sent") == "1", "thanks": request.GET.get("thanks") == "1",
            }
            return _render(request, "public/conversation.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@customer_page
def unsubscribe(request, token):
    """CUS-3: one POST (no fields) stops e-mail from this merchant. GET only asks, so link scanners
    that follow e-mail links do not unsubscribe anyone."""
    link = _link("unsubscribe", token)
    if (refusal := _refusal(request, link)) is not None:
        return refusal
    merchant_id, customer_id = link.merchant_id, link.object_id
    with _customer_context(request, merchant_id):
        customer = (Customer.objects.select_related("merchant")
                    .filter(merchant_id=merchant_id, pk=customer_id).first())
        if customer is None:
            raise Http404("Unknown link.")
        if request.method == "POST":
            customer = customer_opt_out(merchant=customer.merchant, customer=customer)
        context = {"merchant": customer.merchant, "done": customer.email_opt_out,
                   "just_done": request.method == "POST"}
        return _render(request, "public/unsubscribe.html", context)


@require_http_methods(["GET", "POST"])
@customer_page
def followup(request, token):
    """ANA-4: one question, the score from 1 to 10 again, and an optional comment. The first answer
    counts; a later one changes nothing and says so. A number clicked in the e-mail arrives as
    ?score=N and is only chosen, never recorded, so link scanners record nothing."""
    link = _link("followup", token)
    if (refusal := _refusal(request, link)) is not None:
        return refusal
    merchant_id, rating_id = link.merchant_id, link.object_id
    with _customer_context(request, merchant_id):
        rating = (Rating.objects.select_related("merchant", "branch", "customer")
                  .filter(merchant_id=merchant_id, pk=rating_id, followup_requested_at__isnull=False).first())
        if rating is None or rating.customer.erased_at is not None:
            raise Http404("Unknown link.")
        merchant = rating.merchant
        errors: dict[str, str] = {}
        form = {"score": request.POST.get("score", request.GET.get("score", "")),
                "comment": request.POST.get("comment", "")}
        unchanged = False
        if request.method == "POST" and rating.followup_score is not None:
            unchanged = True
        elif request.method == "POST":
            score = _score(form["score"])
            if score is None:
                errors["score"] = translation.gettext("Choose a score from 1 to 10.")
            else:
                try:
                    if followup_answer(merchant=merchant, rating=rating, score=score, comment=form["comment"]):
                        return redirect(request.path + "?thanks=1")
                    unchanged = True  # another answer came first: followup_answer read it
                except ValidationError as exc:
                    errors = messages_by_field(exc)
        zone = ZoneInfo(merchant.timezone)
        context = {"merchant": merchant, "rating": rating, "errors": errors, "form": form, "scores": SCORES,
                   "rated_on": timezone.localtime(rating.created_at, zone), "unchanged": unchanged,
                   "thanks": request.GET.get("thanks") == "1" and rating.followup_score is not None,
                   "conversation_path": conversation_path(rating)}
        return _render(request, "public/followup.html", context, status=400 if errors else 200)
