"""API v1 of customers and visits, including the point-of-sale visit push (API.md, API-2)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gifts.selectors import customer_gift_counters
from merchants.api_views import MerchantView
from merchants.selectors import branch_list
from ratings.selectors import ORDERINGS, RatingFilters, rating_item_rows
from ratings.serializers import RatingItemSerializer, VisitDetailSerializer, items_from_rows
from ratings_inbox.api import params
from ratings_inbox.api.pagination import paginated_response, paginated_schema
from ratings_inbox.api.schema import PAGE_PARAMETERS, READ_ERRORS, WRITE_ERRORS, errors
from ratings_inbox.errors import Conflict
from ratings_inbox.keyset import Column

from . import services
from .links import rating_url
from .models import Visit
from .selectors import (
    customer_get,
    customer_list_with_stats,
    customer_visits,
    visit_get,
)
from .serializers import (
    CustomerDetailSerializer,
    CustomerItemSerializer,
    VisitCreatedSerializer,
    VisitCreateSerializer,
    VisitItemSerializer,
)

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


class VisitCreateView(MerchantView):
    roles = {"POST": "admin"}
    api_key_methods = ("POST",)
    error_fields = {
        "full_name": ("customer", "full_name"),
        "external_id": ("customer", "external_id"),
        "email": ("customer", "email"),
        "phone": ("customer", "phone"),
        "invoice_number": ("invoice", "number"),
    }

    @extend_schema(
        operation_id="visits_create", request=VisitCreateSerializer,
        responses={201: VisitCreatedSerializer, **errors(*WRITE_ERRORS, 409)},
        description="Integration key or admin. The customer is matched by external_id (created when new, "
                    "updated when known). A repeated invoice number for the same branch is a 409.",
    )
    def post(self, request, merchant_slug):
        data = VisitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        branch = branch_list(access=self.access).filter(pk=values["branch"]).first()
        if branch is None:
            raise ValidationError({"branch": [_("Not a branch of this merchant.")]})
        person, invoice = values["customer"], values["invoice"]
        if Visit.objects.filter(branch=branch, invoice_number=invoice["number"]).exists():
            # visit_record's dict error loses its "conflict" code; a racing twin hits the unique key (409 too)
            raise Conflict({"invoice_number": _("This invoice is already recorded for this branch.")})
        with transaction.atomic():
            # email and phone left out (or null) keep what is known about the customer
            customer = services.customer_upsert(
                merchant=self.merchant, external_id=person["external_id"], full_name=person["full_name"],
                email=person.get("email") or None, phone=person.get("phone") or None, keep_contact=True,
            )
            visit = services.visit_record(
                merchant=self.merchant, branch=branch, customer=customer, visited_at=values["visited_at"],
                invoice_number=invoice["number"], invoice_total=invoice["total"], currency=invoice["currency"],
                lines=[services.InvoiceLineInput(**line) for line in invoice.get("lines") or []],
            )
        body = {"id": visit.pk, "customer": customer.pk, "rating_url": rating_url(visit)}
        return Response(VisitCreatedSerializer(body).data, status=status.HTTP_201_CREATED)
