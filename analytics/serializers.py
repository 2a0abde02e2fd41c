"""Output shapes of API v1 "Analytics" (API.md): what the selectors return, as JSON."""

from __future__ import annotations

from rest_framework import serializers

from inbox.serializers import AuthorSerializer
from merchants.serializers import BranchRefSerializer


class NpsTotal(serializers.Serializer):
    ratings = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    comments = serializers.IntegerField()
    nps = serializers.IntegerField(allow_null=True)


class NpsPeriod(NpsTotal):
    period_start = serializers.DateField()


class NpsSerializer(serializers.Serializer):
    series = NpsPeriod(many=True)
    total = NpsTotal()
    previous = NpsTotal(allow_null=True)


class ResponseFigures(serializers.Serializer):
    cases = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_within_target = serializers.IntegerField()
    within_target_rate = serializers.FloatField(allow_null=True)
    median_first_response_minutes = serializers.IntegerField(allow_null=True)
    p90_first_response_minutes = serializers.IntegerField(allow_null=True)


class ResponseBranch(ResponseFigures):
    branch = BranchRefSerializer()


class ResponseMember(ResponseFigures):
    member = AuthorSerializer()


class ResponseSerializer(ResponseFigures):
    by_branch = ResponseBranch(many=True)
    by_member = ResponseMember(many=True)
    previous = ResponseFigures(allow_null=True)


class FunnelFigures(serializers.Serializer):
    detractors = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_within_target = serializers.IntegerField()
    gift_offered = serializers.IntegerField()
    gift_redeemed = serializers.IntegerField()
    returned = serializers.IntegerField()
    rerated = serializers.IntegerField()
    recovered = serializers.IntegerField()
    gift_cost = serializers.DecimalField(max_digits=16, decimal_places=2)
    cost_per_recovered = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class FunnelBranch(FunnelFigures):
    branch = BranchRefSerializer()


class RecoverySerializer(FunnelFigures):
    currency = serializers.CharField()
    by_branch = FunnelBranch(many=True)
    previous = FunnelFigures(allow_null=True)


class AnalyticsCustomerRef(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class WatchItemSerializer(serializers.Serializer):
    customer = AnalyticsCustomerRef()
    visits = serializers.IntegerField()
    median_gap_days = serializers.FloatField()
    days_since_last_visit = serializers.IntegerField()
    last_visit_at = serializers.DateTimeField()
    last_score = serializers.IntegerField(allow_null=True)
    last_rating = serializers.IntegerField(allow_null=True)
    detractor = serializers.BooleanField()
    branch = BranchRefSerializer(allow_null=True)
    total_spent = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.CharField()
