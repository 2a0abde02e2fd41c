"""The page behind a staff e-mail's stop link (SLA-6): no login, the signed link is the credential."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from merchants import tenancy
from merchants.models import Membership

from .links import STOPPED, STOPS, read_stop_token
from .services import staff_emails_stop


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
