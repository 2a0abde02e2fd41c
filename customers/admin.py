"""Django admin for platform operators: customers and visits (read-mostly)."""

from django.contrib import admin

from .models import Customer, InvoiceLine, Visit


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("full_name", "merchant", "email", "email_opt_out", "points_balance", "created_at")
    search_fields = ("full_name", "email", "external_id")
    list_select_related = ("merchant",)
    readonly_fields = ("name_key",)


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("invoice_number", "merchant", "branch", "customer", "visited_at", "invoice_total", "currency")
    list_select_related = ("merchant", "branch", "customer")
    raw_id_fields = ("customer", "branch")
    inlines = [InvoiceLineInline]
