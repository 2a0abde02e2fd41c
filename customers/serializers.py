"""Shapes of customers and visits in API v1 (API.md "Customers and visits")."""

from __future__ import annotations

import re
from decimal import Decimal

from rest_framework import serializers

from merchants.serializers import BranchRefSerializer
from ratings_inbox.api.fields import Id, Text


class CustomerItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    last_score = serializers.IntegerField(allow_null=True)
    ratings_count = serializers.IntegerField()


class CustomerFieldsSerializer(serializers.Serializer):
    """A customer's own fields, as the detail (API customers) and the data export (PRV-1) show them."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    document_id = serializers.CharField(allow_null=True)
    birth_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    email_opt_out = serializers.BooleanField()
    points_balance = serializers.IntegerField()


class CustomerDetailSerializer(CustomerFieldsSerializer):
    last_score = serializers.IntegerField(allow_null=True)
    gifts_offered = serializers.IntegerField()
    gifts_redeemed = serializers.IntegerField()
    gifts_expired = serializers.IntegerField()


class VisitItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_at = serializers.DateTimeField()
    branch = BranchRefSerializer()
    total = serializers.DecimalField(source="invoice_total", max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    rating = serializers.IntegerField(source="rating_id_or_none", allow_null=True)


class CustomerInputSerializer(serializers.Serializer):
    external_id = Text(max_length=100)
    full_name = Text(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_null=True, allow_blank=True)
    phone = Text(max_length=40, required=False, allow_null=True, allow_blank=True)


class InvoiceLineInputSerializer(serializers.Serializer):
    description = Text(max_length=300)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvoiceInputSerializer(serializers.Serializer):
    number = Text(max_length=60)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    currency = Text(max_length=3, help_text="ISO 4217, e.g. COP")
    lines = InvoiceLineInputSerializer(many=True, required=False, allow_null=True)

    def validate_currency(self, value):
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise serializers.ValidationError("An ISO 4217 code such as COP is required.")
        return value


class VisitCreateSerializer(serializers.Serializer):
    branch = Id()
    customer = CustomerInputSerializer()
    visited_at = serializers.DateTimeField()
    invoice = InvoiceInputSerializer()


class VisitCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField()
    rating_url = serializers.URLField()
