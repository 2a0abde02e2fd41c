"""Credentials of the API: a user's token, a merchant's integration key, the browser session.

`Authorization: Api-Key <key>` authenticates as the merchant's integration (API-2). The key
is looked up by its public prefix across merchants (the key itself says which merchant it
belongs to) and compared by hash in constant time; a revoked key is refused at once. A prefix
is unique only within its merchant (SCALE-2), so every key with that prefix is compared.
"""

from __future__ import annotations

import hmac

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.services import api_token_hash
from merchants.models import ApiKey, Membership
from merchants.selectors import api_keys_by_prefix
from merchants.services import API_KEY_PREFIX_LENGTH, api_key_hash
from ratings_inbox import rows

API_KEY_KEYWORD = "Api-Key"


class ApiKeyPrincipal:
    """The request.user of a call made with an integration key: no person, one merchant."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_api_key = True
    pk = None
    id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.merchant_id = api_key.merchant_id

    def __str__(self):
        return f"api-key:{self.api_key.prefix}"

    def get_full_name(self):
        return str(self)


def is_api_key(user) -> bool:
    return getattr(user, "is_api_key", False)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = API_KEY_KEYWORD

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key header."))
        try:
            raw_key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from exc
        return self.authenticate_key(raw_key)

    def authenticate_key(self, raw_key: str):
        prefix = raw_key[:API_KEY_PREFIX_LENGTH]
        if len(raw_key) <= API_KEY_PREFIX_LENGTH or "\x00" in raw_key:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        candidates = api_keys_by_prefix(prefix)
        digest = api_key_hash(raw_key)
        api_key = next((key for key in candidates if hmac.compare_digest(key.key_hash, digest)), None)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return self.keyword


class TokenAuthentication(authentication.TokenAuthentication):
    """A user's token (SEC-5): looked up by the SHA-256 of the key, refused once expired.

    The token, its user and the user's membership of the URL's merchant (set by
    TenantMiddleware, so row-level security already lets this merchant's memberships through)
    come from one plain-SQL statement: through the ORM these were two queries costing 2.3 ms
    of a 20 ms list request (bench), against 0.6 ms here. membership_get() then finds the
    membership on the user instead of reading it again.
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


# Token first: its WWW-Authenticate header makes missing credentials a 401, not a 403.
AUTHENTICATION_CLASSES = [TokenAuthentication, ApiKeyAuthentication, authentication.SessionAuthentication]


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Api-Key <key>`: a merchant's integration key (POST visits and ratings only).",
        }
