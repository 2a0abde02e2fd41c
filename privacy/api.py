"""API v1 of habeas data (API.md "Privacy", PRODUCT.md §14): export, erase, retention (admin)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from merchants.api_views import MerchantView
from ratings_inbox.api.schema import READ_ERRORS, WRITE_ERRORS, errors

from .serializers import (
    CustomerExportSerializer,
    EraseInputSerializer,
    ExportCustomerSerializer,
    RetentionSerializer,
)
from .services import customer_erase, customer_export, privacy_customer_get, retention_set

UNRESTRICTED = "An admin who sees every branch: a branch-restricted admin gets 403."


class PrivacyView(MerchantView):
    roles = {"GET": "admin", "POST": "admin", "PUT": "admin"}


class CustomerExportView(PrivacyView):
    @extend_schema(operation_id="customers_export", responses={200: CustomerExportSerializer, **errors(*READ_ERRORS)},
                   description="Everything stored about the customer (PRV-1), oldest first. " + UNRESTRICTED)
    def get(self, request, merchant_slug, id):
        export = customer_export(access=self.access, customer_id=id)
        response = Response(CustomerExportSerializer(export).data)
        response["Content-Disposition"] = f'attachment; filename="customer-{id}.json"'
        return response


class CustomerEraseView(PrivacyView):
    @extend_schema(operation_id="customers_erase", request=EraseInputSerializer,
                   responses={200: ExportCustomerSerializer, **errors(*WRITE_ERRORS)},
                   description="Erases the customer's personal data (PRV-2), irreversibly; `confirm` is their "
                               "full name (400 on `confirm` otherwise, and nothing changes). Scores, visits and "
                               "counters stay. Erasing an erased customer changes nothing. " + UNRESTRICTED)
    def post(self, request, merchant_slug, id):
        privacy_customer_get(access=self.access, customer_id=id)  # the path first: 404/403 before 400/415
        data = EraseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = customer_erase(access=self.access, customer_id=id, confirm=data.validated_data["confirm"],
                                  actor=request.user)
        return Response(ExportCustomerSerializer(customer).data)


class RetentionView(PrivacyView):
    @extend_schema(operation_id="retention_retrieve", responses={200: RetentionSerializer, **errors(*READ_ERRORS)})
    def get(self, request, merchant_slug):
        return Response(RetentionSerializer(self.merchant).data)

    @extend_schema(operation_id="retention_update", request=RetentionSerializer,
                   responses={200: RetentionSerializer, **errors(*WRITE_ERRORS)},
                   description="PRV-3: customers with no visit for `erase_after_months` months (6-120) are erased "
                               "daily; null turns it off. " + UNRESTRICTED)
    def put(self, request, merchant_slug):
        data = RetentionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = retention_set(access=self.access, erase_after_months=data.validated_data["erase_after_months"],
                                 actor=request.user)
        return Response(RetentionSerializer(merchant).data)
