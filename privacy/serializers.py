"""Shapes of the privacy endpoints (API.md "Privacy"): the customer's data export, erase, retention."""

from __future__ import annotations

from rest_framework import serializers

from customers.serializers import CustomerFieldsSerializer
from gifts.models import Gift, GiftGrant
from inbox.serializers import InvoiceSerializer, ThreadEntrySerializer
from merchants.serializers import BranchRefSerializer
from notifications.models import OutgoingEmail
from ratings.models import Band

from .services import RETENTION_MAX_MONTHS, RETENTION_MIN_MONTHS


class ExportCustomerSerializer(CustomerFieldsSerializer):
    external_id = serializers.CharField(allow_null=True)
    erased_at = serializers.DateTimeField(allow_null=True)


class ExportVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_at = serializers.DateTimeField()
    branch = BranchRefSerializer()
    invoice = InvoiceSerializer(source="*")
    rating = serializers.SerializerMethodField()

    def get_rating(self, visit) -> int | None:
        return visit.rating.pk if hasattr(visit, "rating") else None  # no rating: the accessor raises


class ExportRatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visit = serializers.IntegerField(source="visit_id")
    branch = BranchRefSerializer()
    score = serializers.IntegerField()
    band = serializers.ChoiceField(choices=Band.choices)
    comment = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    # Their answer to "did we fix it?" (ANA-4), the score they gave again and when.
    followup_score = serializers.IntegerField(allow_null=True)
    followup_at = serializers.DateTimeField(allow_null=True)


class ExportMessageSerializer(ThreadEntrySerializer):
    """A message of their conversations, as the customer sees it: who wrote it by kind, not by name."""

    rating = serializers.IntegerField(source="rating_id")


class ExportGiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Gift.Kind.choices)


class ExportGrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    gift = ExportGiftSerializer()
    rating = serializers.IntegerField(source="rating_id", allow_null=True)
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=GiftGrant.Status.choices, source="effective_status")
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)


class ExportPointsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    points = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    reason = serializers.CharField()
    grant = serializers.IntegerField(source="grant_id", allow_null=True)
    created_at = serializers.DateTimeField()


class ExportEmailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OutgoingEmail.Kind.choices)
    to_address = serializers.CharField()
    subject = serializers.CharField()
    body_text = serializers.CharField()
    status = serializers.ChoiceField(choices=OutgoingEmail.Status.choices)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class CustomerExportSerializer(serializers.Serializer):
    customer = ExportCustomerSerializer()
    visits = ExportVisitSerializer(many=True)
    ratings = ExportRatingSerializer(many=True)
    messages = ExportMessageSerializer(many=True)
    gift_grants = ExportGrantSerializer(many=True)
    points = ExportPointsSerializer(many=True)
    emails = ExportEmailSerializer(many=True)


class EraseInputSerializer(serializers.Serializer):
    confirm = serializers.CharField(max_length=400, trim_whitespace=True,
                                    help_text="The customer's full name, as stored.")


class RetentionSerializer(serializers.Serializer):
    erase_after_months = serializers.IntegerField(
        allow_null=True, min_value=RETENTION_MIN_MONTHS, max_value=RETENTION_MAX_MONTHS,
        help_text="Customers with no visit for this many months are erased daily; null is off (the default).",
    )
