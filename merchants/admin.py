"""Django admin for platform operators (PRODUCT.md: operators run the service).

Operators see every merchant: TenantMiddleware sets `app.all_merchants` for staff users
on /admin/ only. Tenant rows are read-mostly here; merchants' own staff use the product.
"""

from django.contrib import admin

from .models import ApiKey, AuditLog, Branch, Membership, Merchant


class BranchInline(admin.TabularInline):
    model = Branch
    extra = 0
    fields = ("name", "address", "is_active")


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "currency", "language", "created_at")
    search_fields = ("name", "slug")
    inlines = [BranchInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "restricted_to_branches")
    list_filter = ("role",)
    search_fields = ("user__email", "merchant__slug")
    list_select_related = ("user", "merchant")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "merchant", "prefix", "created_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    list_select_related = ("merchant",)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "merchant", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action",)
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    list_select_related = ("merchant",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
