"""A merchant's integration key as API credentials (API-2).

`Authorization: Api-Key <key>` authenticates as the merchant's integration. The key
is looked up by its public prefix across merchants (the key itself says which merchant it
belongs to) and compared by hash in constant time; a revoked key is refused at once. A prefix
is unique only within its merchant (SCALE-2), so every key with that prefix is compared.
"""

from __future__ import annotations

import hmac

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiKey
from .selectors import api_keys_by_prefix
from .services import API_KEY_PREFIX_LENGTH, api_key_hash

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


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Api-Key <key>`: a merchant's integration key (POST visits and ratings only).",
        }
