"""A member's own notification settings page, under /m/<merchant_slug>/settings/notifications/ (SLA-4)."""

from django.urls import path

from . import views

app_name = "notification-settings"
urlpatterns = [
    path("", views.preferences, name="preferences"),
]
