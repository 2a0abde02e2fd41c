"""Django admin for platform operators: ratings and their threads (read-only, as the sweeper)."""

from django.contrib import admin

from merchants.admin import CrossMerchantAdmin, CrossMerchantInline

from .models import Message, QuickReply, Rating


class MessageInline(CrossMerchantInline):
    model = Message
    fields = ("created_at", "author_kind", "author", "body")


@admin.register(Rating)
class RatingAdmin(CrossMerchantAdmin):
    list_display = ("id", "merchant", "score", "customer", "branch", "created_at", "is_read", "messages_count")
    list_filter = ("score", "is_read")
    list_select_related = ("merchant", "customer", "branch")
    inlines = [MessageInline]


@admin.register(QuickReply)
class QuickReplyAdmin(CrossMerchantAdmin):
    list_display = ("title", "merchant")
    list_select_related = ("merchant",)
