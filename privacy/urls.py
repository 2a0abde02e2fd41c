"""Pages of habeas data (PRODUCT.md §14) under /m/<merchant_slug>/."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("customers/<int:customer_id>/export/", views.export, name="customer-export"),
    path("customers/<int:customer_id>/erase/", views.erase, name="customer-erase"),
    path("settings/privacy/", views.privacy_settings, name="privacy-settings"),
]
