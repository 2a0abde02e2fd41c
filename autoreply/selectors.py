"""Reads about the auto-reply: the merchant's settings (created with the defaults if missing)."""

from __future__ import annotations

from merchants.models import Merchant

from .models import AutoReplySettings
from .placeholders import PLACEHOLDERS


def autoreply_settings_get(*, merchant: Merchant) -> AutoReplySettings:
    from .services import autoreply_settings_create_default

    row = AutoReplySettings.objects.filter(merchant=merchant).first()
    return row or autoreply_settings_create_default(merchant=merchant)


def placeholder_names() -> tuple[str, ...]:
    return PLACEHOLDERS
