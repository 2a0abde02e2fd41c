"""The merchant switcher (home) and the load balancer's health check."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import tenancy
from .selectors import memberships_of_user


@login_required
def home(request):
    tenancy.set_user(request.user.pk)
    try:
        memberships = list(memberships_of_user(request.user))
    finally:
        tenancy.clear_tenant()
    if len(memberships) == 1:
        return redirect("ratings:inbox", merchant_slug=memberships[0].merchant.slug)
    return render(request, "merchants/home.html", {"memberships": memberships})


@never_cache
def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["redis"] = "ok" if cache.get("healthz") == "1" else "error: no echo"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
