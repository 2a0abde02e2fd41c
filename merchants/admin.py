"""Django admin for platform operators (PRODUCT.md: operators run the service).

Operators see every merchant's rows, read through the sweeper role (merchants.platform,
SEC-3): the application role they would otherwise use sees no merchant outside a request for
one. Tenant rows are read-only here; merchants' own staff change them in the product.
"""

from django.contrib import admin

from .models import ApiKey, AuditLog, Branch, Membership, Merchant
from .platform import SWEEPER


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CrossMerchantAdmin(_ReadOnly, admin.ModelAdmin):
    """Every merchant's rows of a tenant table, read as the sweeper."""

    def get_queryset(self, request):
        return super().get_queryset(request).using(SWEEPER)


class CrossMerchantInline(_ReadOnly, admin.TabularInline):
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).using(SWEEPER)


class BranchInline(CrossMerchantInline):
    model = Branch
    fields = ("name", "address", "is_active")


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "currency", "language", "created_at")
    search_fields = ("name", "slug")
    inlines = [BranchInline]

    def has_delete_permission(self, request, obj=None):
        return False  # its rows are every tenant table's: not a click in the admin


@admin.register(Membership)
class MembershipAdmin(CrossMerchantAdmin):
    list_display = ("user", "merchant", "role", "restricted_to_branches")
    list_filter = ("role",)
    search_fields = ("user__email", "merchant__slug")
    list_select_related = ("user", "merchant")


@admin.register(ApiKey)
class ApiKeyAdmin(CrossMerchantAdmin):
    list_display = ("name", "merchant", "prefix", "created_at", "revoked_at", "last_used_at")
    list_select_related = ("merchant",)


@admin.register(AuditLog)
class AuditLogAdmin(CrossMerchantAdmin):
    list_display = ("created_at", "merchant", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action",)
    list_select_related = ("merchant",)
