"""Root URLs: pages per merchant under /m/<slug>/, the API under /api/v1/, customer pages."""

import os

from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from merchants import views as merchant_views

merchant_patterns = [
    path("", include("inbox.urls")),
    path("", include("privacy.urls")),
    path("gifts/", include("gifts.urls")),
    path("autoreply/", include("autoreply.urls")),
    path("analytics/", include("analytics.urls")),
    path("settings/", include("merchants.urls")),
    path("settings/notifications/", include("notifications.member_urls")),
]

urlpatterns = [
    path("", merchant_views.home, name="home"),
    path("healthz", merchant_views.healthz, name="healthz"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("language/", account_views.language_set, name="language-set"),
    path("admin/", admin.site.urls),
    path("m/<slug:merchant_slug>/", include(merchant_patterns)),
    path("api/v1/", include("ratings_inbox.api_urls")),
    path("", include("customer_pages.urls", namespace="public")),
    path("", include("notifications.urls", namespace="notifications")),
]

# Under /api/ these answer JSON, elsewhere Django's pages (API.md "Status codes").
handler404 = "ratings_inbox.api.views.page_not_found"
handler500 = "ratings_inbox.api.views.server_error"

if os.environ.get("BENCH_VIEWS") == "1":  # `make bench` only: the floors of docs/bench (bench/views.py)
    urlpatterns.insert(0, path("bench/", include("bench.urls")))
