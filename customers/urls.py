"""Pages of the customers app under /m/<merchant_slug>/: habeas data (PRODUCT.md §14)."""

from django.urls import path

from . import privacy_views

app_name = "customers"
urlpatterns = [
    path("customers/<int:customer_id>/export/", privacy_views.export, name="customer-export"),
    path("customers/<int:customer_id>/erase/", privacy_views.erase, name="customer-erase"),
    path("settings/privacy/", privacy_views.privacy_settings, name="privacy-settings"),
]
