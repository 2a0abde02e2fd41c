"""API v1 of a merchant's branches and integration keys (API.md, PRODUCT.md §9)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from ratings_inbox.api.pagination import paginated_response, paginated_schema
from ratings_inbox.api.schema import PAGE_PARAMETERS, READ_ERRORS, WRITE_ERRORS, errors
from ratings_inbox.keyset import Column

from . import services
from .api_views import MerchantView
from .selectors import api_key_get, api_key_list, branch_list
from .serializers import ApiKeyCreatedSerializer, ApiKeyInputSerializer, ApiKeySerializer, BranchSerializer

BRANCH_COLUMNS = [Column("name", False), Column("id", False)]
KEY_COLUMNS = [Column("created_at", True), Column("id", True)]


class BranchListView(MerchantView):
    @extend_schema(operation_id="branches_list", parameters=PAGE_PARAMETERS,
                   responses={200: paginated_schema(BranchSerializer, "BranchPage"), **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        branches = branch_list(access=self.access)
        return paginated_response(request, branches, ordering="name", columns=BRANCH_COLUMNS,
                                  serialize=lambda rows: BranchSerializer(rows, many=True).data)

    @extend_schema(operation_id="branches_create", request=BranchSerializer,
                   responses={201: BranchSerializer, **errors(*WRITE_ERRORS)})
    def post(self, request, merchant_slug):
        data = BranchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        branch = services.branch_create(merchant=self.merchant, name=data.validated_data["name"],
                                        address=data.validated_data.get("address") or "", actor=request.user)
        return Response(BranchSerializer(branch).data, status=status.HTTP_201_CREATED)


class ApiKeyListView(MerchantView):
    roles = {"GET": "admin", "POST": "admin"}

    @extend_schema(operation_id="api_keys_list", parameters=PAGE_PARAMETERS,
                   responses={200: paginated_schema(ApiKeySerializer, "ApiKeyPage"), **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        keys = api_key_list(access=self.access)
        return paginated_response(request, keys, ordering="-created_at", columns=KEY_COLUMNS,
                                  serialize=lambda rows: ApiKeySerializer(rows, many=True).data)

    @extend_schema(operation_id="api_keys_create", request=ApiKeyInputSerializer,
                   responses={201: ApiKeyCreatedSerializer, **errors(*WRITE_ERRORS)})
    def post(self, request, merchant_slug):
        data = ApiKeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key, raw_key = services.api_key_create(merchant=self.merchant, name=data.validated_data["name"],
                                               actor=request.user)
        body = {"id": key.pk, "name": key.name, "key": raw_key, "created_at": key.created_at}
        return Response(ApiKeyCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(MerchantView):
    roles = {"DELETE": "admin"}

    @extend_schema(operation_id="api_keys_destroy", responses={204: None, **errors(*READ_ERRORS)},
                   description="Revokes the key at once.")
    def delete(self, request, merchant_slug, id):
        key = api_key_get(access=self.access, id=id)
        services.api_key_revoke(merchant=self.merchant, api_key=key, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
