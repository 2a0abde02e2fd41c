"""Django admin for platform operators: customers and visits (read-only, as the sweeper)."""

from django.contrib import admin

from merchants.admin import CrossMerchantAdmin, CrossMerchantInline

from .models import Customer, InvoiceLine, Visit


@admin.register(Customer)
class CustomerAdmin(CrossMerchantAdmin):
    list_display = ("full_name", "merchant", "email", "email_opt_out", "points_balance", "created_at")
    search_fields = ("full_name", "email", "external_id")
    list_select_related = ("merchant",)


class InvoiceLineInline(CrossMerchantInline):
    model = InvoiceLine


@admin.register(Visit)
class VisitAdmin(CrossMerchantAdmin):
    list_display = ("invoice_number", "merchant", "branch", "customer", "visited_at", "invoice_total", "currency")
    list_select_related = ("merchant", "branch", "customer")
    inlines = [InvoiceLineInline]
