"""Pages of habeas data (PRODUCT.md §14) for admins: the export download, the erase
confirmation and the retention setting."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from merchants.decorators import member_required
from ratings_inbox.errors import messages_by_field

from .serializers import CustomerExportSerializer
from .services import (
    RETENTION_MAX_MONTHS,
    RETENTION_MIN_MONTHS,
    check_privacy_access,
    customer_erase,
    customer_export,
    privacy_customer_get,
    retention_set,
)


@require_GET
@member_required("admin")
def export(request, merchant_slug, customer_id: int):
    """PRV-1: the customer's data as a JSON file, the same document as the API's."""
    data = CustomerExportSerializer(customer_export(access=request.access, customer_id=customer_id)).data
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer_id}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@member_required("admin")
def erase(request, merchant_slug, customer_id: int):
    """PRV-2: the admin types the customer's name to erase them; a wrong name changes nothing."""
    access = request.access
    customer = privacy_customer_get(access=access, customer_id=customer_id)
    context = {"customer": customer, "errors": {}, "confirm": ""}
    if request.method == "POST" and customer.erased_at is None:
        context["confirm"] = request.POST.get("confirm", "")
        try:
            customer_erase(access=access, customer_id=customer.pk, confirm=context["confirm"], actor=request.user)
        except ValidationError as exc:
            context["errors"] = messages_by_field(exc)
            return render(request, "privacy/erase.html", context, status=400)
        messages.success(request, _("The customer's personal data was erased."))
        return redirect("privacy:customer-erase", merchant_slug=request.merchant.slug, customer_id=customer.pk)
    return render(request, "privacy/erase.html", context)


def _parse_months(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError({"erase_after_months": _("Between %(min)s and %(max)s months, or empty for never.") % {
            "min": RETENTION_MIN_MONTHS, "max": RETENTION_MAX_MONTHS}})
    return int(text)


@require_http_methods(["GET", "POST"])
@member_required("admin")
def privacy_settings(request, merchant_slug):
    """PRV-3: how many months without a visit before a customer is erased (empty: never)."""
    access = request.access
    check_privacy_access(access)
    months = request.merchant.erase_after_months
    context = {"form": {"erase_after_months": "" if months is None else str(months)}, "errors": {},
               "min_months": RETENTION_MIN_MONTHS, "max_months": RETENTION_MAX_MONTHS}
    if request.method == "GET":
        return render(request, "privacy/settings.html", context)
    context["form"]["erase_after_months"] = request.POST.get("erase_after_months", "")
    try:
        merchant = retention_set(access=access, erase_after_months=_parse_months(context["form"]["erase_after_months"]),
                                 actor=request.user)
    except ValidationError as exc:
        context["errors"] = messages_by_field(exc)
        return render(request, "privacy/settings.html", context, status=400)
    if merchant.erase_after_months is None:
        messages.success(request, _("Saved: customers are kept until you erase them."))
    else:
        messages.success(request, _("Saved: customers with no visit for %(months)s months will be erased daily.")
                         % {"months": merchant.erase_after_months})
    return redirect("privacy:privacy-settings", merchant_slug=request.merchant.slug)
