"""Pages for gifts: the catalogue (admins), the till's "Redeem a code", and the opened rating's
gift pane (GFT-1..4, PRODUCT.md §9). Each view parses input, calls one service, renders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.selectors import customer_get
from merchants.decorators import member_required
from ratings.selectors import rating_get, rating_thread
from ratings_inbox.errors import Conflict, messages_by_field

from . import selectors, services, wording
from .models import Gift

KIND_FIELDS = {
    Gift.Kind.PRODUCT: ("product_name",),
    Gift.Kind.POINTS: ("points",),
    Gift.Kind.DISCOUNT: ("discount_percent", "discount_amount"),
}
GIFTS_CHANGED = "gifts-changed"


def gift_fields_from_post(post) -> dict:
    """The gift fields of a kind-tabbed form: only the chosen tab's fields count (GFT-1, GFT-2).

    The other tabs' inputs stay in the page, hidden; what was typed there is not part of
    the gift. The service still refuses any mix that reaches it from the API.
    """
    kind = post.get("kind", "")
    fields = {"name": post.get("name", ""), "kind": kind, "validity_days": post.get("validity_days", ""),
              "cost": post.get("cost", "")}
    for field in KIND_FIELDS.get(kind, ()):
        fields[field] = post.get(field, "")
    return fields


# --- catalogue (admins) -------------------------------------------------------------------

def _catalogue(request, *, form_values=None, errors=None, status=200):
    return render(request, "gifts/catalogue.html", {
        "gifts": selectors.gift_list(access=request.access, grants_count=True),
        "form_values": form_values or {"kind": "product", "validity_days": 30},
        "errors": errors or {},
        "kinds": Gift.Kind.choices,
    }, status=status)


@require_GET
@member_required(role="admin")
def catalogue(request, merchant_slug):
    return _catalogue(request)


@require_POST
@member_required(role="admin")
def gift_create(request, merchant_slug):
    fields = gift_fields_from_post(request.POST)
    try:
        gift = services.gift_create(merchant=request.merchant, actor=request.user,
                                    is_active=request.POST.get("is_active", "on") == "on", **fields)
    except ValidationError as exc:
        return _catalogue(request, form_values=request.POST, errors=messages_by_field(exc), status=400)
    messages.success(request, _("Gift created: %(name)s.") % {"name": gift.name})
    return redirect("gifts:catalogue", merchant_slug)


@require_http_methods(["GET", "POST"])
@member_required(role="admin")
def gift_edit(request, merchant_slug, gift_id):
    gift = selectors.gift_get(access=request.access, id=gift_id)
    if gift.is_archived or gift.is_one_off:
        raise Http404("This gift is not in the catalogue.")
    errors, values, status = {}, None, 200
    is_granted = gift.grants.exists()
    if request.method == "POST":
        fields = gift_fields_from_post(request.POST)
        if is_granted:
            # What a granted gift gives is locked (its inputs are disabled in the form).
            fields = {"name": fields["name"], "validity_days": fields["validity_days"], "cost": fields["cost"]}
        fields["is_active"] = request.POST.get("is_active") == "on"
        try:
            gift = services.gift_update(merchant=request.merchant, actor=request.user, gift=gift, **fields)
        except ValidationError as exc:
            errors, status = messages_by_field(exc), 400
            values = request.POST.copy()
            if is_granted:
                for field in ("kind",) + services.GIFT_VALUE_FIELDS:
                    values[field] = getattr(gift, field) if getattr(gift, field) is not None else ""
        else:
            messages.success(request, _("Gift saved: %(name)s.") % {"name": gift.name})
            return redirect("gifts:catalogue", merchant_slug)
    if values is None:
        values = {field: getattr(gift, field) for field in (
            "name", "kind", "validity_days", "is_active", "cost") + services.GIFT_VALUE_FIELDS}
    return render(request, "gifts/edit.html", {
        "gift": gift, "form_values": values, "errors": errors, "kinds": Gift.Kind.choices,
        "is_granted": is_granted,
    }, status=status)


@require_POST
@member_required(role="admin")
def gift_set_active(request, merchant_slug, gift_id):
    gift = selectors.gift_get(access=request.access, id=gift_id)
    try:
        services.gift_update(merchant=request.merchant, actor=request.user, gift=gift,
                             is_active=request.POST.get("is_active") == "1")
    except ValidationError as exc:
        return _catalogue(request, errors=messages_by_field(exc), status=400)
    done = _("%(name)s can be attached again.") if request.POST.get("is_active") == "1" else _(
        "%(name)s deactivated: it can no longer be attached.")
    messages.success(request, done % {"name": gift.name})
    return redirect("gifts:catalogue", merchant_slug)


@require_POST
@member_required(role="admin")
def gift_archive(request, merchant_slug, gift_id):
    gift = selectors.gift_get(access=request.access, id=gift_id)
    outcome = services.gift_archive_or_delete(merchant=request.merchant, actor=request.user, gift=gift)
    done = _("%(name)s archived: its codes stay valid.") if outcome == "archived" else _("%(name)s deleted.")
    messages.success(request, done % {"name": gift.name})
    return redirect("gifts:catalogue", merchant_slug)


# --- the till ------------------------------------------------------------------------------

@member_required(role="agent")
def redeem(request, merchant_slug):
    """Redeem a code at the till (GFT-3): the code first shows its gift, customer and expiry to confirm;
    only the confirmation redeems it. 404 for an unknown code, 409 when used or expired, at either step."""
    context, status = {"code": "", "error": "", "grant": None, "confirm": None}, 200
    if request.method == "POST":
        code = request.POST.get("code", "")
        context["code"] = code
        confirmed = request.POST.get("confirm") == "1"
        try:
            if confirmed:
                grant = services.grant_redeem(merchant=request.merchant, actor=request.user, code=code)
            else:
                grant = services.grant_redeem_check(merchant=request.merchant, code=code)
        except Http404:
            context["error"], status = _("No gift has this code. Check it and try again."), 404
        except Conflict as exc:
            context["error"], status = messages_by_field(exc).get("code", " ".join(exc.messages)), 409
        else:
            context["what"] = wording.gift_description(grant.gift, request.merchant.currency)
            if confirmed:
                context.update(grant=grant, code="")
            else:
                context["confirm"] = grant
    return render(request, "gifts/redeem.html", context, status=status)


# --- the opened rating's gift pane ---------------------------------------------------------

def _panel_response(request, rating, *, notice="", errors=None, form_values=None, open_attach=False,
                    with_counters=False) -> HttpResponse:
    context = {
        "rating": rating,
        "customer": rating.customer,
        "gift_panel": selectors.rating_gift_panel(access=request.access, rating=rating),
        "gift_notice": notice,
        "gift_errors": errors or {},
        "gift_form": form_values or {"kind": "product", "validity_days": 30},
        "gift_attach_open": open_attach,
    }
    html = render_to_string("gifts/_rating_gifts.html", context, request=request)
    response = HttpResponse()
    if with_counters:
        # Out-of-band: the customer card's counters and the thread, which now has the system message.
        counters = selectors.customer_gift_counters(access=request.access, customer=rating.customer)
        html += render_to_string("gifts/_customer_gift_counters.html",
                                 {"gift_counters": counters, "oob": True}, request=request)
        html += render_to_string("ratings/_thread.html", {
            "rating": rating, "oob_thread": True,
            "thread": rating_thread(access=request.access, rating=rating),
        }, request=request)
        response["HX-Trigger"] = GIFTS_CHANGED
    response.content = html
    return response


@require_GET
@member_required(role="staff")
def rating_panel(request, merchant_slug, rating_id):
    rating = rating_get(access=request.access, id=rating_id)
    return _panel_response(request, rating)


@require_POST
@member_required(role="agent")
def attach(request, merchant_slug, rating_id):
    """Attach a catalogue gift or a new one-off to the rating (GFT-2); the pane and counters refresh."""
    rating = rating_get(access=request.access, id=rating_id)
    gift, new_gift = None, None
    if request.POST.get("source") == "new":
        new_gift = gift_fields_from_post(request.POST)
    else:
        gift_id = request.POST.get("gift", "")
        if not (gift_id.isascii() and gift_id.isdigit()):  # isdigit() alone takes "²", which int() refuses
            return _panel_response(request, rating, open_attach=True,
                                   errors={"gift": _("Choose a gift from the list.")})
        try:
            gift = selectors.gift_get(access=request.access, id=int(gift_id))
        except Http404:
            return _panel_response(request, rating, open_attach=True,
                                   errors={"gift": _("This gift does not exist.")})
    try:
        grant = services.gift_grant(merchant=request.merchant, actor=request.user, rating=rating,
                                    gift=gift, new_gift=new_gift)
    except ValidationError as exc:
        return _panel_response(request, rating, open_attach=True, errors=messages_by_field(exc),
                               form_values=request.POST if new_gift is not None else None)
    notice = _("Gift sent. Code %(code)s.") % {"code": grant.code}
    messages.success(request, notice)  # the toast (ratings_inbox.toasts); the notice stays in the pane
    return _panel_response(request, rating, notice=notice, with_counters=True)


@require_POST
@member_required(role="agent")
def grant_redeem(request, merchant_slug, grant_id):
    """Redeem a grant from the thread (GFT-3), same rules as the till."""
    grant = selectors.grant_get(access=request.access, id=grant_id)
    if grant.rating_id is None:
        raise Http404("This grant has no conversation.")
    rating = rating_get(access=request.access, id=grant.rating_id)
    try:
        services.grant_redeem(merchant=request.merchant, actor=request.user, code=grant.code)
    except Conflict as exc:
        return _panel_response(request, rating, errors={"redeem": messages_by_field(exc).get("code", "")},
                               with_counters=True)
    notice = _("Code %(code)s redeemed.") % {"code": grant.code}
    messages.success(request, notice)
    return _panel_response(request, rating, notice=notice, with_counters=True)


@require_GET
@member_required(role="staff")
def points(request, merchant_slug, customer_id):
    """The customer's points balance and ledger (GFT-4), for the profile."""
    customer = customer_get(access=request.access, id=customer_id)
    ledger = selectors.points_ledger(access=request.access, customer=customer)
    return render(request, "gifts/_points_ledger.html", {"customer": customer, "ledger": ledger})
