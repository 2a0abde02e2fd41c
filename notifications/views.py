"""The page behind a staff e-mail's stop link (SLA-6): no login, the signed link is the credential;
and each member's own notification settings (SLA-4)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from merchants import tenancy
from merchants.decorators import member_required
from merchants.models import Membership, NewDetractorNotice

from .links import STOPPED, STOPS, read_stop_token
from .services import notification_preferences_get, notification_preferences_set, staff_emails_stop


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a form; the token decides
@require_http_methods(["GET", "POST"])
def stop(request, token):
    """GET asks (link scanners follow links); POST, from the page or the mail client, stops."""
    link = read_stop_token(token)
    if link is None:
        raise Http404("Unknown link.")
    with tenancy.tenant(link.merchant_id):
        membership = (Membership.objects.select_related("merchant", "user")
                      .filter(merchant_id=link.merchant_id, pk=link.membership_id).first())
        if membership is None:
            raise Http404("Unknown link.")
        with translation.override(membership.user.language or membership.merchant.language):
            if request.method == "POST":
                membership = staff_emails_stop(membership=membership, kind=link.kind)
            response = render(request, "notifications/stop.html", {
                "merchant": membership.merchant, "what": STOPPED[STOPS[link.kind][0]],
                "just_done": request.method == "POST",
            })
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _hour(text: str):
    """The digest hour as posted: an int when it is one, else the text (the service names it)."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else text


@require_http_methods(["GET", "POST"])
@member_required("staff")
def preferences(request, merchant_slug):
    """SLA-4: every member chooses, per merchant, which e-mails they get (the API's …/me/notifications/)."""
    access = request.access
    current = notification_preferences_get(access=access)
    form = {"new_detractor": current.new_detractor, "digest_hour": current.digest_hour,
            "assigned_to_me": current.assigned_to_me, "sla_alerts": current.sla_alerts}
    context = {"form": form, "errors": {}, "choices": NewDetractorNotice.choices,
               "hours": [(hour, f"{hour:02d}:00") for hour in range(24)]}
    if request.method == "GET":
        return render(request, "notifications/preferences.html", context)
    form.update(new_detractor=request.POST.get("new_detractor", ""), digest_hour=_hour(request.POST.get("digest_hour")),
                assigned_to_me="assigned_to_me" in request.POST, sla_alerts="sla_alerts" in request.POST)
    try:
        notification_preferences_set(access=access, actor=request.user, **form)
    except ValidationError as exc:
        context["errors"] = {field: " ".join(str(m) for m in msgs) for field, msgs in exc.message_dict.items()}
        return render(request, "notifications/preferences.html", context, status=400)
    messages.success(request, _("Saved: your notification settings for %(merchant)s.") % {
        "merchant": request.merchant.name})
    return redirect("notification-settings:preferences", merchant_slug=request.merchant.slug)
