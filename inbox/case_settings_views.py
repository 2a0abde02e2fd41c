"""The case settings page for admins (SLA-1): the first-response target, the weekly opening
hours and the follow-up switch, saved by ratings.case_settings.case_settings_set like the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from merchants.decorators import member_required
from ratings.case_settings import (
    FIRST_RESPONSE_MAX_HOURS,
    FIRST_RESPONSE_MIN_HOURS,
    case_settings_set,
    check_case_settings_access,
)
from ratings.case_settings_form import form_add_errors, form_from_merchant, form_from_post


def _render(request, form, status=200):
    return render(request, "ratings/case_settings.html", {
        "form": form, "min_hours": FIRST_RESPONSE_MIN_HOURS, "max_hours": FIRST_RESPONSE_MAX_HOURS,
    }, status=status)


@require_http_methods(["GET", "POST"])
@member_required("admin")
def case_settings_page(request, merchant_slug):
    """GET shows the settings; POST saves all of them, or nothing with the errors marked. For an
    admin who sees every branch, like the privacy settings (403 otherwise)."""
    check_case_settings_access(request.access)
    if request.method == "GET":
        return _render(request, form_from_merchant(request.merchant))
    form, values = form_from_post(request.POST)
    if not form.has_errors:
        try:
            merchant = case_settings_set(access=request.access, actor=request.user, **values)
        except ValidationError as exc:
            form_add_errors(form, exc.error_dict)
    if form.has_errors:
        return _render(request, form, status=400)
    if merchant.opening_hours is None:
        messages.success(request, _("Saved: cases are due %(hours)s hours after they open.")
                         % {"hours": merchant.first_response_hours})
    else:
        messages.success(request, _("Saved: cases are due after %(hours)s hours of opening time.")
                         % {"hours": merchant.first_response_hours})
    return redirect("ratings:case-settings", merchant_slug=request.merchant.slug)
