"""Shapes of branches and integration keys in API v1 (API.md "Branches", "Integration keys")."""

from __future__ import annotations

from rest_framework import serializers

from ratings_inbox.api.fields import Text


class BranchRefSerializer(serializers.Serializer):
    """A branch named inside another object (a rating, a visit)."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class BranchSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = Text(max_length=200)
    address = Text(max_length=300, required=False, allow_blank=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)


class ApiKeyInputSerializer(serializers.Serializer):
    name = Text(max_length=100, allow_blank=True)


class ApiKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class ApiKeyCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    key = serializers.CharField(help_text="Shown once; only its hash is stored.")
    created_at = serializers.DateTimeField()
