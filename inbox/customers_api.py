"""API v1 of customers and visits (API.md); the point-of-sale visit push is intake.api's (API-2)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from customers.selectors import (
    customer_get,
    customer_visits,
    visit_get,
)
from customers.serializers import (
    CustomerDetailSerializer,
    CustomerItemSerializer,
    VisitItemSerializer,
)
from gifts.selectors import customer_gift_counters
from merchants.api_views import MerchantView
from ratings.selectors import ORDERINGS, RatingFilters, customer_list_with_stats, rating_item_rows
from ratings_inbox.api import params
from ratings_inbox.api.pagination import paginated_response, paginated_schema
from ratings_inbox.api.schema import PAGE_PARAMETERS, READ_ERRORS, errors
from ratings_inbox.keyset import Column

from .serializers import RatingItemSerializer, VisitDetailSerializer, items_from_rows

CUSTOMER_COLUMNS = [Column("name_key", False), Column("id", False)]
VISIT_COLUMNS = [Column("visited_at", True), Column("id", True)]


def _rating_id(visit) -> int | None:
    try:
        return visit.rating.pk
    except visit._meta.model.rating.RelatedObjectDoesNotExist:
        return None


class CustomerListView(MerchantView):
    @extend_schema(
        operation_id="customers_list",
        parameters=[OpenApiParameter("q", str, description="Start of any word of the name, case- and "
                                                           "accent-insensitive."), *PAGE_PARAMETERS],
        responses={200: paginated_schema(CustomerItemSerializer, "CustomerPage"), **errors(*READ_ERRORS)},
    )
    def get(self, request, merchant_slug):
        customers = customer_list_with_stats(access=self.access, q=params.text(request, "q"))
        return paginated_response(request, customers, ordering="name", columns=CUSTOMER_COLUMNS,
                                  serialize=lambda rows: CustomerItemSerializer(rows, many=True).data)


class CustomerDetailView(MerchantView):
    @extend_schema(operation_id="customers_retrieve", responses={200: CustomerDetailSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        customer = customer_get(access=self.access, id=id)
        for key, value in customer_gift_counters(access=self.access, customer=customer, last_score=True).items():
            setattr(customer, key, value)
        return Response(CustomerDetailSerializer(customer).data)


class CustomerRatingsView(MerchantView):
    @extend_schema(operation_id="customers_ratings_list", parameters=PAGE_PARAMETERS,
                   responses={200: paginated_schema(RatingItemSerializer, "RatingPage"), **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        customer = customer_get(access=self.access, id=id)
        ratings = rating_item_rows(access=self.access, filters=RatingFilters(customer_id=customer.pk))
        return paginated_response(request, ratings, ordering="-created_at", columns=ORDERINGS["-created_at"],
                                  serialize=items_from_rows)


class CustomerVisitsView(MerchantView):
    @extend_schema(operation_id="customers_visits_list", parameters=PAGE_PARAMETERS,
                   responses={200: paginated_schema(VisitItemSerializer, "VisitPage"), **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        customer = customer_get(access=self.access, id=id)
        visits = customer_visits(access=self.access, customer=customer)

        def serialize(rows):
            for visit in rows:
                visit.rating_id_or_none = _rating_id(visit)
            return VisitItemSerializer(rows, many=True).data

        return paginated_response(request, visits, ordering="-visited_at", columns=VISIT_COLUMNS, serialize=serialize)


class VisitDetailView(MerchantView):
    @extend_schema(operation_id="visits_retrieve", responses={200: VisitDetailSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        visit = visit_get(access=self.access, id=id)
        visit.rating_id_or_none = _rating_id(visit)
        return Response(VisitDetailSerializer(visit).data)
