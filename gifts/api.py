"""API v1 of gifts: the catalogue, attaching a gift to a rating, grants and redemption (API.md "Gifts")."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from customers.selectors import customer_list
from merchants.api_views import MerchantView
from ratings.selectors import rating_get
from ratings_inbox.api import params
from ratings_inbox.api.pagination import paginated_response, paginated_schema
from ratings_inbox.api.schema import PAGE_PARAMETERS, READ_ERRORS, WRITE_ERRORS, errors
from ratings_inbox.keyset import Column

from . import services
from .models import Gift, GiftGrant
from .selectors import gift_get, gift_list, grant_list
from .serializers import (
    GIFT_INPUT_FIELDS,
    GiftInputSerializer,
    GiftSerializer,
    GrantCreateSerializer,
    GrantSerializer,
    RedeemSerializer,
)

GIFT_COLUMNS = [Column("name", False), Column("id", False)]
GRANT_COLUMNS = [Column("granted_at", True), Column("id", True)]


def _gift_values(data: dict) -> dict:
    return {field: data.get(field) for field in GIFT_INPUT_FIELDS}


class GiftListView(MerchantView):
    @extend_schema(operation_id="gifts_list", parameters=PAGE_PARAMETERS,
                   responses={200: paginated_schema(GiftSerializer, "GiftPage"), **errors(*READ_ERRORS)},
                   description="The catalogue (archived gifts and one-off gifts are left out).")
    def get(self, request, merchant_slug):
        gifts = gift_list(access=self.access)
        return paginated_response(request, gifts, ordering="name", columns=GIFT_COLUMNS,
                                  serialize=lambda rows: GiftSerializer(rows, many=True).data)

    @extend_schema(operation_id="gifts_create", request=GiftInputSerializer,
                   responses={201: GiftSerializer, **errors(*WRITE_ERRORS)},
                   description="Admin. Exactly the fields of the gift's kind; the others null.")
    def post(self, request, merchant_slug):
        data = GiftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gift = services.gift_create(merchant=self.merchant, actor=request.user,
                                    is_active=data.validated_data.get("is_active", True),
                                    **_gift_values(data.validated_data))
        return Response(GiftSerializer(gift).data, status=status.HTTP_201_CREATED)


class GiftDetailView(MerchantView):
    def get_gift(self, id) -> Gift:
        gift = gift_get(access=self.access, id=id)
        if gift.is_one_off:
            raise Http404("No such gift.")
        return gift

    @extend_schema(operation_id="gifts_retrieve", responses={200: GiftSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug, id):
        return Response(GiftSerializer(self.get_gift(id)).data)

    @extend_schema(operation_id="gifts_partial_update", request=GiftInputSerializer(partial=True),
                   responses={200: GiftSerializer, **errors(*WRITE_ERRORS)},
                   description='Admin. E.g. `{"is_active": false}`.')
    def patch(self, request, merchant_slug, id):
        gift = self.get_gift(id)
        data = GiftInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        gift = services.gift_update(merchant=self.merchant, actor=request.user, gift=gift, **data.validated_data)
        return Response(GiftSerializer(gift).data)


class RatingGiftView(MerchantView):
    roles = {"POST": "agent"}
    error_fields = {field: ("new_gift", field) for field in GIFT_INPUT_FIELDS}

    @extend_schema(operation_id="ratings_gifts_create", request=GrantCreateSerializer,
                   responses={201: GrantSerializer, **errors(*WRITE_ERRORS)},
                   description='Agent or admin. `{"gift": id}` (an active catalogue gift) or `{"new_gift": {…}}`.')
    def post(self, request, merchant_slug, id):
        rating = rating_get(access=self.access, id=id)
        data = GrantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gift_id, new_gift = data.validated_data.get("gift"), data.validated_data.get("new_gift")
        if (gift_id is None) == (new_gift is None):
            raise ValidationError({"gift": [_("Give either gift (an id) or new_gift.")]})
        gift = None
        if gift_id is not None:
            gift = gift_list(access=self.access).filter(pk=gift_id).first()
            if gift is None:
                raise ValidationError({"gift": [_("Not a gift of this merchant.")]})
        grant = services.gift_grant(
            merchant=self.merchant, actor=request.user, rating=rating, gift=gift,
            new_gift=_gift_values(new_gift) if new_gift is not None else None,
        )
        return Response(GrantSerializer(grant).data, status=status.HTTP_201_CREATED)


class GrantListView(MerchantView):
    @extend_schema(
        operation_id="gift_grants_list",
        parameters=[
            OpenApiParameter("status", str, enum=[s.value for s in GiftGrant.Status],
                             description="Effective status: an offer past its expiry counts as expired."),
            OpenApiParameter("customer", int, description="A customer id of the merchant; 400 otherwise."),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated_schema(GrantSerializer, "GrantPage"), **errors(*READ_ERRORS)},
    )
    def get(self, request, merchant_slug):
        state = params.choice(request, "status", [s.value for s in GiftGrant.Status])
        customer_id = params.identifier(request, "customer")
        if customer_id is not None and not customer_list(access=self.access).filter(pk=customer_id).exists():
            raise ValidationError({"customer": [_("Not a customer of this merchant.")]})
        grants = grant_list(access=self.access, status=state, customer=customer_id)
        return paginated_response(request, grants, ordering="-granted_at", columns=GRANT_COLUMNS,
                                  serialize=lambda rows: GrantSerializer(rows, many=True).data)


class GrantRedeemView(MerchantView):
    roles = {"POST": "agent"}

    @extend_schema(operation_id="gift_grants_redeem", request=RedeemSerializer,
                   responses={200: GrantSerializer, **errors(*WRITE_ERRORS, 409)},
                   description="Agent or admin. Codes match case-insensitively; unknown code 404; "
                               "already redeemed or expired 409.")
    def post(self, request, merchant_slug):
        data = RedeemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.grant_redeem(merchant=self.merchant, actor=request.user, code=data.validated_data["code"])
        return Response(GrantSerializer(grant).data)
