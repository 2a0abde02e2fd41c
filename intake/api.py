"""API v1 of what arrives (API-2): the point of sale's visits and the ratings posted for them.

`POST ratings/` shares its path with the ratings list (inbox.api.RatingListView): the view
here is that list with the POST added.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from customers.links import rating_url
from customers.selectors import visit_find
from customers.serializers import VisitCreatedSerializer, VisitCreateSerializer
from customers.services import InvoiceLineInput
from inbox import api as ratings_api
from inbox.serializers import RatingCreateSerializer, RatingDetailSerializer
from merchants.api_views import MerchantView
from merchants.selectors import branch_find
from ratings.selectors import rating_get
from ratings_inbox.api.schema import WRITE_ERRORS, errors

from . import services


class RatingListView(ratings_api.RatingListView):
    roles = {"POST": "admin"}
    api_key_methods = ("POST",)

    @extend_schema(operation_id="ratings_create", request=RatingCreateSerializer,
                   responses={201: RatingDetailSerializer, **errors(*WRITE_ERRORS, 409)},
                   description="Integration key or admin. A second rating for the same visit is a 409.")
    def post(self, request, merchant_slug):
        data = RatingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        visit = visit_find(access=self.access, id=values["visit"])
        if visit is None:
            raise ValidationError({"visit": [_("Not a visit of this merchant.")]})
        rating = services.rating_received(
            merchant=self.merchant, visit=visit, score=values["score"], comment=values.get("comment"),
            created_at=values.get("created_at"),
        )
        rating = rating_get(access=self.access, id=rating.pk)
        return Response(ratings_api.rating_detail_data(self, rating, created=True), status=status.HTTP_201_CREATED)


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
        branch = branch_find(access=self.access, id=values["branch"])
        if branch is None:
            raise ValidationError({"branch": [_("Not a branch of this merchant.")]})
        person, invoice = values["customer"], values["invoice"]
        visit = services.visit_ingest(
            merchant=self.merchant, branch=branch, external_id=person["external_id"],
            full_name=person["full_name"], email=person.get("email") or None, phone=person.get("phone") or None,
            visited_at=values["visited_at"], invoice_number=invoice["number"], invoice_total=invoice["total"],
            currency=invoice["currency"], lines=[InvoiceLineInput(**line) for line in invoice.get("lines") or []],
        )
        body = {"id": visit.pk, "customer": visit.customer_id, "rating_url": rating_url(visit)}
        return Response(VisitCreatedSerializer(body).data, status=status.HTTP_201_CREATED)
