"""Credentials of the API: a user's token (SEC-5).

The integration key's authentication is the merchants app's (`merchants/authentication.py`);
settings.API_AUTHENTICATION_CLASSES lists both for the API views.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from merchants.models import Membership
from ratings_inbox import rows

from .models import ApiToken
from .services import api_token_hash


class TokenAuthentication(authentication.TokenAuthentication):
    """A user's token (SEC-5): looked up by the SHA-256 of the key, refused once expired.

    The token, its user and the user's membership of the URL's merchant (set by
    TenantMiddleware, so row-level security already lets this merchant's memberships through)
    come from one plain-SQL statement: through the ORM these were two queries and their
    compiling, on every API request. membership_get() then finds the membership on the user
    instead of reading it again.
    """

    model = ApiToken
    merchant = None

    def authenticate(self, request):
        self.merchant = getattr(request._request, "merchant", None)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        if "\x00" in key or len(key) > 64:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        User = get_user_model()  # noqa: N806 - a model class
        merchant_id = self.merchant.pk if self.merchant is not None else None
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {rows.select_list(ApiToken, 't')}, {rows.select_list(User, 'u')},"
                f" {rows.select_list(Membership, 'ms')}"
                f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
                f" LEFT JOIN {Membership._meta.db_table} ms ON ms.user_id = t.user_id AND ms.merchant_id = %s"
                " WHERE t.key_hash = %s",
                [merchant_id, api_token_hash(key)],
            )
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token, user, membership = rows.instances(row, ApiToken, User, Membership)
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        ApiToken._meta.get_field("user").set_cached_value(token, user)
        if merchant_id is not None:  # no membership row: all its columns NULL
            user.memberships_read = {merchant_id: membership if membership.pk is not None else None}
        return user, token
