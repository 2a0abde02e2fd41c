"""Django admin for platform operators: ratings and their threads (read-mostly)."""

from django.contrib import admin

from .models import Message, QuickReply, Rating


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("created_at", "author_kind", "author", "body")
    readonly_fields = fields


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("id", "merchant", "score", "customer", "branch", "created_at", "is_read", "messages_count")
    list_filter = ("score", "is_read")
    list_select_related = ("merchant", "customer", "branch")
    raw_id_fields = ("visit", "customer", "branch")
    readonly_fields = ("customer_name_key", "messages_count", "replies_count", "last_message_at")
    inlines = [MessageInline]


@admin.register(QuickReply)
class QuickReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant")
    list_select_related = ("merchant",)
