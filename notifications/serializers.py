"""Shapes of the member's e-mail preferences in API v1 (API.md "Case settings, alerts, follow-up score")."""

from __future__ import annotations

from rest_framework import serializers

from merchants.models import NewDetractorNotice


class NotificationPreferencesSerializer(serializers.Serializer):
    new_detractor = serializers.ChoiceField(
        choices=NewDetractorNotice.values,
        help_text="How to hear of new detractors in your branches (SLA-4): not at all, an e-mail at once, "
                  "or in the daily digest.")
    digest_hour = serializers.IntegerField(
        min_value=0, max_value=23, help_text="The hour of the daily digest in the merchant's time zone (SLA-5).")
    assigned_to_me = serializers.BooleanField(
        help_text="E-mails when a case is assigned to you or, for admins, escalated (CASE-3).")
    sla_alerts = serializers.BooleanField(help_text="Response-target alerts: at risk and breached (SLA-3).")
