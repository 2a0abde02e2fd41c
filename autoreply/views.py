"""The auto-reply settings page (AR-1, AR-2): text, delay, on/off switch and a live preview (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from merchants.decorators import member_required
from ratings_inbox.errors import messages_by_field

from . import services
from .selectors import autoreply_settings_get

PLACEHOLDER_HELP = {
    "first_name": "María", "full_name": "María Fernanda Gómez", "merchant": None, "branch": None,
    "score": "4", "visit_date": None,
}


def _context(request, row, *, form=None, errors=None, preview=None):
    form = form or {"subject": row.subject, "body": row.body, "delay_minutes": row.delay_minutes}
    if preview is None and not errors:
        try:
            preview = services.autoreply_preview(merchant=request.merchant, subject=form["subject"], body=form["body"])
        except ValidationError:
            preview = None
    return {
        "settings": row, "form": form, "errors": errors or {}, "preview": preview,
        "delay_max": services.DELAY_MAX_MINUTES,
    }


@require_http_methods(["GET", "POST"])
@member_required("admin")
def settings_page(request, merchant_slug):
    """GET shows the settings; POST is "Save and schedule" (text and delay; the switch is separate)."""
    row = autoreply_settings_get(access=request.access)
    if request.method == "GET":
        return render(request, "autoreply/settings.html", _context(request, row))
    form = {key: request.POST.get(key, "") for key in ("subject", "body", "delay_minutes")}
    try:
        services.autoreply_settings_update(
            merchant=request.merchant, actor=request.user, subject=form["subject"], body=form["body"],
            delay_minutes=form["delay_minutes"],
        )
    except ValidationError as exc:
        context = _context(request, row, form=form, errors=messages_by_field(exc))
        return render(request, "autoreply/settings.html", context, status=400)
    messages.success(request, _("Auto-reply saved.") + " " + (
        _("It is on: silent detractors from now on will receive it.") if row.enabled
        else _("It is off: turn it on to start sending.")))
    return redirect("autoreply:settings", merchant_slug=request.merchant.slug)


@require_POST
@member_required("admin")
def switch(request, merchant_slug):
    """The on/off switch: sending starts or stops, the text stays (AR-1)."""
    enabled = request.POST.get("enabled") in {"1", "on", "true"}
    row = services.autoreply_set_enabled(merchant=request.merchant, actor=request.user, enabled=enabled)
    if request.headers.get("HX-Request") == "true":
        return render(request, "autoreply/_switch.html", {"settings": row, "just_switched": True})
    messages.success(request, _("Auto-reply turned on.") if row.enabled else _("Auto-reply turned off."))
    return redirect("autoreply:settings", merchant_slug=request.merchant.slug)


@require_POST
@member_required("admin")
def preview(request, merchant_slug):
    """The e-mail for a sample rating, as the admin types (htmx swaps #autoreply-preview)."""
    try:
        filled = services.autoreply_preview(
            merchant=request.merchant, subject=request.POST.get("subject", ""), body=request.POST.get("body", ""),
        )
        errors = {}
    except ValidationError as exc:
        filled, errors = None, messages_by_field(exc)
    return render(request, "autoreply/_preview.html", {"preview": filled, "errors": errors})
