"""Shapes of the auto-reply settings in API v1 (API.md "Auto-reply")."""

from __future__ import annotations

from rest_framework import serializers

from ratings_inbox.api.fields import Text


class AutoReplySerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    subject = serializers.CharField()
    body = serializers.CharField()
    delay_minutes = serializers.IntegerField(min_value=0, max_value=1440)
    # null until the settings are first saved: a new merchant's are the defaults, stored by no one yet
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class AutoReplyInputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    subject = Text(required=False, allow_blank=True, trim_whitespace=False)
    body = Text(required=False, allow_blank=True, trim_whitespace=False)
    delay_minutes = serializers.IntegerField(required=False, min_value=0, max_value=1440)


class PreviewInputSerializer(serializers.Serializer):
    subject = Text(allow_blank=True, trim_whitespace=False)
    body = Text(allow_blank=True, trim_whitespace=False)


class PreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body = serializers.CharField()
