"""The API view of a merchant's endpoint: the caller's membership, role and access.

A merchant's endpoint resolves, in this order (API.md "Status codes", PRODUCT.md §9):
401 without credentials; 404 when the caller is not a member (or the integration key is
another merchant's); 403 when the role (or the key) may not do this; then throttles.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from ratings_inbox.api.principal import is_api_key
from ratings_inbox.api.views import ApiView

from .access import Access
from .models import ApiKey
from .selectors import membership_get

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _touch(api_key) -> None:
    """Records when an integration key was last used (at most once a minute per key)."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(merchant_id=api_key.merchant_id, pk=api_key.pk).update(last_used_at=now)



class MerchantView(ApiView):
    """An endpoint under /merchants/{m}/: request.merchant is set by TenantMiddleware.

    `roles` maps a method to the least role allowed (staff < agent < admin); reads default
    to staff, writes to admin. `api_key_methods` lists the methods an integration key of
    this merchant may call; any other is a 403.
    """

    roles: dict[str, str] = {}
    api_key_methods: tuple[str, ...] = ()

    def role_for(self, method: str) -> str:
        return self.roles.get(method, "staff" if method in SAFE_METHODS else "admin")

    def check_permissions(self, request):
        super().check_permissions(request)
        merchant = request.merchant
        if merchant is None:
            raise Http404
        user = request.user
        if is_api_key(user):
            if user.merchant_id != merchant.pk:
                raise exceptions.NotFound(_("No such merchant."))
            _touch(user.api_key)
            if request.method not in self.api_key_methods:
                raise exceptions.PermissionDenied(_("An integration key may only post visits and ratings."))
            request.membership = None
            request.access = Access.system(merchant)
            return
        membership = membership_get(merchant=merchant, user=user)
        if not membership.has_role(self.role_for(request.method)):
            raise exceptions.PermissionDenied(_("Your role does not allow this."))
        request.membership = membership
        request.access = Access.member(membership, merchant)

    @property
    def merchant(self):
        return self.request.merchant

    @property
    def access(self) -> Access:
        """Who acts, for which merchant and branches (SEC-2); set by check_permissions."""
        return self.request.access

    def actor(self):
        user = self.request.user
        return None if is_api_key(user) else user
