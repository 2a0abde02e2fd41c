"""API v1 "Analytics" (API.md, PRODUCT.md §13): nps, response, recovery, watchlist. Each view
reads its filters and calls one selector, the same the dashboard page uses (ANA-6)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from merchants.api_views import MerchantView
from ratings_inbox.api.pagination import paginated_response, paginated_schema
from ratings_inbox.api.schema import PAGE_PARAMETERS, READ_ERRORS, errors
from ratings_inbox.keyset import Column

from . import selectors
from .params import filters_from
from .serializers import NpsSerializer, RecoverySerializer, ResponseSerializer, WatchItemSerializer

FILTER_PARAMETERS = [
    OpenApiParameter("branch", int, description="A branch id of the merchant (and of the caller's); 400 otherwise."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day (merchant's time zone), YYYY-MM-DD; "
                                                                 "by default 89 days before date_to."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day (merchant's time zone), YYYY-MM-DD; "
                                                               "by default today."),
]
WATCHLIST_COLUMNS = [Column("spent_cents", True), Column("id", True)]


class NpsView(MerchantView):
    @extend_schema(operation_id="analytics_nps", parameters=[
        OpenApiParameter("interval", str, enum=list(selectors.INTERVALS), description="week (from Monday) or month"),
        *FILTER_PARAMETERS], responses={200: NpsSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        filters = filters_from(request.query_params, self.access)
        return Response(NpsSerializer(selectors.nps_series(access=self.access, filters=filters)).data)


class ResponseTimesView(MerchantView):
    @extend_schema(operation_id="analytics_response", parameters=FILTER_PARAMETERS,
                   responses={200: ResponseSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        filters = filters_from(request.query_params, self.access)
        return Response(ResponseSerializer(selectors.response_summary(access=self.access, filters=filters)).data)


class RecoveryView(MerchantView):
    @extend_schema(operation_id="analytics_recovery", parameters=FILTER_PARAMETERS,
                   responses={200: RecoverySerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        filters = filters_from(request.query_params, self.access)
        return Response(RecoverySerializer(selectors.recovery_funnel(access=self.access, filters=filters)).data)


class WatchlistView(MerchantView):
    @extend_schema(operation_id="analytics_watchlist", parameters=[*FILTER_PARAMETERS, *PAGE_PARAMETERS],
                   description="Who is overdue now (ANA-5): the dates are checked but bound nothing.",
                   responses={200: paginated_schema(WatchItemSerializer, "WatchlistPage"), **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        filters = filters_from(request.query_params, self.access)  # every parameter checked
        now = timezone.now()
        rows = selectors.watchlist(access=self.access, now=now, branch_id=filters.branch_id)
        currency = self.access.merchant.currency
        return paginated_response(
            request, rows, ordering=selectors.WATCHLIST_ORDERING, columns=WATCHLIST_COLUMNS,
            serialize=lambda page: WatchItemSerializer(
                [selectors.watch_item(stats, now=now, currency=currency) for stats in page], many=True).data)
