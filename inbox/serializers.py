"""Output shapes of ratings and messages in API v1 (API.md "Ratings", "Messages")."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gifts.serializers import GrantSerializer
from merchants.hours import DAYS
from merchants.serializers import BranchRefSerializer
from ratings.events import message_text
from ratings.models import (
    COMMENT_EXCERPT_LENGTH,
    Band,
    CaseEvent,
    CasePriority,
    CaseStatus,
    Message,
    Sla,
    band_for,
    sla_state,
)
from ratings_inbox.api.fields import Id, Text


class CustomerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class RatingItemSerializer(serializers.Serializer):
    """One inbox row (INB-2): nothing here needs a query beyond the list's own."""

    id = serializers.IntegerField()
    score = serializers.IntegerField(min_value=1, max_value=10)
    band = serializers.ChoiceField(choices=Band.choices)
    customer = CustomerRefSerializer()
    branch = BranchRefSerializer()
    created_at = serializers.DateTimeField()
    has_comment = serializers.BooleanField()
    comment_excerpt = serializers.CharField(allow_null=True)
    is_read = serializers.BooleanField()
    messages_count = serializers.IntegerField()
    last_message_at = serializers.DateTimeField(allow_null=True)
    # The follow-up case (API.md "Follow-up cases").
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    priority = serializers.ChoiceField(choices=CasePriority.choices, allow_null=True)
    owner = AuthorSerializer(allow_null=True, source="owner_ref")
    due_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    sla = serializers.ChoiceField(choices=Sla.choices)
    last_activity_at = serializers.DateTimeField()
    needs_reply = serializers.BooleanField()
    followup_score = serializers.IntegerField(allow_null=True, min_value=1, max_value=10)


def items_from_rows(rows) -> list[dict]:
    """RatingItemSerializer's output for rows of ratings.selectors.rating_item_rows, built directly.

    A page of model instances through eleven field objects and two nested serializers each
    cost more than the page's SQL, and DRF's DateTimeField looks the time zone up for every
    value. Times are written as
    DRF writes them (ISO 8601 in the current time zone, UTC as "Z"); a test compares this with
    DRF's own walk of the serializer, field by field.
    """
    zone = timezone.get_current_timezone()
    now = timezone.now()

    def when(value):
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return [
        {
            "id": row.id,
            "score": row.score,
            "band": str(band_for(row.score)),
            "customer": {"id": row.customer_id, "full_name": row.customer_full_name},
            "branch": {"id": row.branch_id, "name": row.branch_name},
            "created_at": when(row.created_at),
            "has_comment": row.comment is not None,
            "comment_excerpt": None if row.comment is None else row.comment[:COMMENT_EXCERPT_LENGTH],
            "is_read": row.is_read,
            "messages_count": row.messages_count,
            "last_message_at": when(row.last_message_at),
            "status": row.status,
            "priority": row.priority,
            "owner": {"id": row.owner_id, "full_name": row.owner_name} if row.owner_id is not None else None,
            "due_at": when(row.due_at),
            "first_response_at": when(row.first_response_at),
            "resolved_at": when(row.resolved_at),
            "sla": str(sla_state(row, now)),
            "last_activity_at": when(row.last_activity_at),
            "needs_reply": row.needs_reply,
            "followup_score": row.followup_score,
        }
        for row in rows
    ]


class ThreadEntrySerializer(serializers.Serializer):
    """A thread entry's fields for staff (messages) and for the customer (the data export)."""

    id = serializers.IntegerField()
    author_kind = serializers.ChoiceField(choices=Message.AuthorKind.choices)
    body = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    gift_grant = serializers.IntegerField(source="gift_grant_id", allow_null=True)
    event = serializers.ChoiceField(choices=Message.Event.choices, allow_null=True)

    def get_body(self, message) -> str:
        """A system event is worded in the request's language, as the thread shows it (THR-1)."""
        return message_text(message)


class MessageSerializer(ThreadEntrySerializer):
    author = serializers.SerializerMethodField()

    def get_author(self, message) -> AuthorSerializer(allow_null=True):  # type: ignore[valid-type]
        if message.author_id is None:
            return None
        return {"id": message.author.pk, "full_name": message.author.get_full_name()}


class InvoiceLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvoiceSerializer(serializers.Serializer):
    number = serializers.CharField(source="invoice_number")
    total = serializers.DecimalField(source="invoice_total", max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    lines = InvoiceLineSerializer(many=True, source="lines.all")


class VisitDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_at = serializers.DateTimeField()
    branch = BranchRefSerializer()
    customer = serializers.IntegerField(source="customer_id")
    invoice = InvoiceSerializer(source="*")
    rating = serializers.IntegerField(allow_null=True, source="rating_id_or_none")


class RatingVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_at = serializers.DateTimeField()
    branch = BranchRefSerializer()
    invoice = InvoiceSerializer(source="*")


class CustomerStatsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    last_score = serializers.IntegerField(allow_null=True)
    gifts_offered = serializers.IntegerField()
    gifts_redeemed = serializers.IntegerField()
    gifts_expired = serializers.IntegerField()


class RatingDetailSerializer(RatingItemSerializer):
    comment = serializers.CharField(allow_null=True)
    visit = RatingVisitSerializer()
    customer = CustomerStatsSerializer(source="customer_stats")
    messages = MessageSerializer(many=True, source="thread")
    gift_grants = GrantSerializer(many=True, source="grants")
    conversation_url = serializers.URLField()


class RatingCreateSerializer(serializers.Serializer):
    visit = Id()
    score = serializers.IntegerField(min_value=1, max_value=10)
    comment = Text(allow_null=True, allow_blank=True, required=False, trim_whitespace=False)
    created_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_score(self, value):
        if isinstance(self.initial_data.get("score"), (bool, float)):
            raise serializers.ValidationError("A whole number from 1 to 10 is required.")
        return value


class MessageCreateSerializer(serializers.Serializer):
    body = Text(allow_blank=True, trim_whitespace=False)


class QuickReplySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = Text(max_length=100, allow_blank=True, trim_whitespace=False)
    body = Text(allow_blank=True, trim_whitespace=False)


class CaseUpdateSerializer(serializers.Serializer):
    """PATCH …/ratings/{id}/: any of status, priority, owner (a user id or null)."""

    status = serializers.ChoiceField(choices=[CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ESCALATED,
                                              CaseStatus.RESOLVED], required=False)
    priority = serializers.ChoiceField(choices=CasePriority.choices, required=False)
    owner = Id(allow_null=True, required=False)


class CaseEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=CaseEvent.Kind.choices)
    to = serializers.CharField(source="to_value", allow_null=True)

    def get_actor(self, event) -> AuthorSerializer(allow_null=True):  # type: ignore[valid-type]
        if event.actor_id is None:
            return None
        return {"id": event.actor.pk, "full_name": event.actor.get_full_name()}

    def to_representation(self, event):
        data = super().to_representation(event)
        data["from"] = event.from_value
        data["to"] = event.to_value
        if event.kind in (CaseEvent.Kind.OWNER, CaseEvent.Kind.NOTE):  # ids: numbers
            data["from"] = int(event.from_value) if event.from_value else None
            data["to"] = int(event.to_value) if event.to_value else None
        return {key: data[key] for key in ("id", "at", "actor", "kind", "from", "to")}


class BulkSerializer(serializers.Serializer):
    ids = serializers.ListField(child=Id(), min_length=1, max_length=500)
    action = serializers.ChoiceField(choices=["read", "unread", "assign", "status", "priority"])
    value = serializers.JSONField(required=False, allow_null=True)


class BulkResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class FollowupRequestedSerializer(serializers.Serializer):
    """202 of POST …/followup-request/ (ANA-4): the e-mail is queued, sent once this committed."""

    status = serializers.ChoiceField(choices=["queued"])
    followup_requested_at = serializers.DateTimeField()


class FollowupRefusedSerializer(serializers.Serializer):
    """409 of POST …/followup-request/: why the customer cannot be asked, in words and as a code."""

    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["not_resolved", "already_requested", "erased", "no_email", "opted_out"])


class SummarySerializer(serializers.Serializer):
    total_ratings = serializers.IntegerField()
    comments_received = serializers.IntegerField()
    replies_sent = serializers.IntegerField()
    unread_comments = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    nps = serializers.IntegerField(allow_null=True)
    needs_reply = serializers.IntegerField()
    open_cases = serializers.IntegerField()
    unassigned_cases = serializers.IntegerField()
    overdue_cases = serializers.IntegerField()
    my_cases = serializers.IntegerField()


_INTERVALS = {"type": "array", "maxItems": 6, "items": {
    "type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"}}}


@extend_schema_field({"type": "object", "nullable": True, "required": list(DAYS), "additionalProperties": False,
                      "properties": {day: _INTERVALS for day in DAYS},
                      "example": {day: [["08:00", "18:00"]] if day not in ("sat", "sun") else [] for day in DAYS}})
class OpeningHoursField(serializers.JSONField):
    """The weekly opening hours (SLA-1), checked by ratings.case_settings.opening_hours_check."""


class CaseSettingsSerializer(serializers.Serializer):
    """API.md "Case settings" (SLA-1): GET answers all three; PUT keeps the fields left out."""

    first_response_hours = serializers.IntegerField(
        min_value=1, max_value=720, required=False,
        help_text="Hours of open time from a case's opening to its due time (default 24).")
    opening_hours = OpeningHoursField(
        allow_null=True, required=False,
        help_text='Null: always open. Otherwise every weekday "mon".."sun" with a sorted list of '
                  '["HH:MM", "HH:MM"] intervals ("24:00" may close a day) in the merchant\'s time zone; '
                  "only open time counts toward the target.")
    followup_on_resolve = serializers.BooleanField(
        required=False, help_text="Ask the customer for a follow-up score when a case is resolved.")
