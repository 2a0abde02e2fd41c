"""Pages of the auto-reply (AR-1, AR-2), under /m/<merchant_slug>/autoreply/."""

from django.urls import path

from . import views

app_name = "autoreply"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("switch/", views.switch, name="switch"),
    path("preview/", views.preview, name="preview"),
]
