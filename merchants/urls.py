"""Pages of the merchants app, under /m/<merchant_slug>/."""

from django.urls import path  # noqa: F401

app_name = "merchants"
urlpatterns = []
