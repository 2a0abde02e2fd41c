"""Shapes of the token exchange and the caller's profile in API v1 (API.md "Auth and me")."""

from __future__ import annotations

from rest_framework import serializers

from ratings_inbox.api.fields import Text


class TokenInputSerializer(serializers.Serializer):
    email = Text(max_length=254)
    password = Text(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MerchantRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class MembershipSerializer(serializers.Serializer):
    merchant = MerchantRefSerializer()
    role = serializers.ChoiceField(choices=["staff", "agent", "admin"])
    branches = serializers.ListField(child=serializers.IntegerField(), allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    language = serializers.ChoiceField(choices=["es", "en"])
    memberships = MembershipSerializer(many=True)
