"""Output and input shapes of gifts and grants in API v1 (API.md "Gifts")."""

from __future__ import annotations

from rest_framework import serializers

from gifts.models import Gift, GiftGrant
from ratings_inbox.api.fields import Id, Text


class GrantSerializer(serializers.Serializer):
    """A grant with its gift's name and kind: a one-off gift is not readable through gifts/{id}/,
    so this is where an integrator learns what the customer was given (API.md "Gifts")."""

    id = serializers.IntegerField()
    gift = serializers.IntegerField(source="gift_id")
    gift_name = serializers.CharField(source="gift.name")
    gift_kind = serializers.ChoiceField(choices=Gift.Kind.choices, source="gift.kind")
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=GiftGrant.Status.choices, source="effective_status")
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    redeemed_at = serializers.DateTimeField(allow_null=True)


class GiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Gift.Kind.choices)
    product_name = serializers.CharField(allow_null=True)
    points = serializers.IntegerField(allow_null=True)
    discount_percent = serializers.IntegerField(allow_null=True)
    discount_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    validity_days = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    is_active = serializers.BooleanField()


GIFT_INPUT_FIELDS = ("name", "kind", "product_name", "points", "discount_percent", "discount_amount",
                     "validity_days", "cost")
INT_MAX = 2**31 - 1


class GiftInputSerializer(serializers.Serializer):
    """A gift as written: exactly the value fields of its kind, the others null (API.md "Gifts")."""

    name = Text(max_length=120, allow_blank=True)
    kind = serializers.ChoiceField(choices=Gift.Kind.choices)
    product_name = Text(max_length=120, required=False, allow_null=True, allow_blank=True)
    points = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=INT_MAX)
    discount_percent = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100)
    discount_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                               min_value=0)
    validity_days = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    is_active = serializers.BooleanField(required=False)


class GrantCreateSerializer(serializers.Serializer):
    gift = Id(required=False, allow_null=True)
    new_gift = GiftInputSerializer(required=False, allow_null=True)


class RedeemSerializer(serializers.Serializer):
    code = Text(max_length=64)
