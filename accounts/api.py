"""API v1: a user's token for e-mail and password, and who the caller is (API.md "Auth and me")."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from merchants import tenancy
from merchants.access import Access
from merchants.selectors import memberships_of_user
from ratings_inbox.api.principal import is_api_key
from ratings_inbox.api.schema import errors
from ratings_inbox.api.views import ApiView

from .authentication import TokenAuthentication
from .serializers import MeSerializer, TokenInputSerializer, TokenSerializer
from .services import api_token_create, api_token_revoke


class LoginLockedOut(Throttled):
    default_detail = gettext_lazy("Too many failed attempts to log in.")
    default_code = "login_locked_out"


class TokenView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def _revoking(self) -> bool:
        # POST trades a password for a new token and reads no credentials (a client re-logging in
        # may still send its expired token); DELETE revokes the token it is called with. (The schema
        # generator first builds the view without a request.)
        return self.request is not None and self.request.method == "DELETE"

    def get_authenticators(self):
        return [TokenAuthentication()] if self._revoking() else super().get_authenticators()

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else super().get_permissions()

    @extend_schema(operation_id="auth_token_create", request=TokenInputSerializer, auth=[],
                   responses={200: TokenSerializer, **errors(400, 413, 415, 429)},
                   description="Wrong credentials: 400 without saying which part was wrong. After 5"
                               " failures for one account or 20 from one address within 15 minutes, 429"
                               " with Retry-After for 15 minutes, whatever the password (SEC-1).")
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, email=data.validated_data["email"].strip(),
                            password=data.validated_data["password"])
        if user is None or not user.is_active:
            lockout = getattr(request._request, "login_lockout", None)
            if lockout is not None:
                raise LoginLockedOut(wait=lockout.retry_after())
            raise ValidationError({"detail": _("Unable to log in with these credentials.")})
        return Response({"token": api_token_create(user=user)})

    @extend_schema(operation_id="auth_token_destroy", request=None, responses={204: None, **errors(401, 429)},
                   description="The caller's token stops working at once; the user's other tokens do not.")
    def delete(self, request):
        api_token_revoke(token=request.auth)
        return Response(status=204)


class MeView(ApiView):
    @extend_schema(operation_id="me_retrieve", responses={200: MeSerializer, **errors(401, 403, 429)})
    def get(self, request):
        user = request.user
        if is_api_key(user):
            raise PermissionDenied(_("An integration key may only post visits and ratings."))
        memberships = []
        try:
            tenancy.set_user(user.pk)
            rows = list(memberships_of_user(user))
            for membership in rows:
                with tenancy.tenant(membership.merchant_id, user_id=user.pk):
                    branches = Access.member(membership).visible_branch_ids()
                memberships.append({
                    "merchant": {"slug": membership.merchant.slug, "name": membership.merchant.name},
                    "role": membership.role,
                    "branches": branches,
                })
        finally:
            tenancy.clear_tenant()
        body = {"id": user.pk, "email": user.email, "full_name": user.full_name, "language": user.language,
                "memberships": memberships}
        return Response(MeSerializer(body).data)
