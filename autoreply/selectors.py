"""Reads about the auto-reply: the merchant's settings."""

from __future__ import annotations

from merchants.access import Access

from .models import DEFAULT_TEXTS, AutoReplySettings
from .placeholders import PLACEHOLDERS


def autoreply_settings_get(*, access: Access) -> AutoReplySettings:
    """The merchant's settings; when none are stored yet, the defaults (off, the default text in
    the merchant's language, AR-1), unsaved: a read never writes."""
    row = access.scope(AutoReplySettings.objects, branch=None).first()
    if row is not None:
        return row
    merchant = access.merchant
    texts = DEFAULT_TEXTS.get(merchant.language, DEFAULT_TEXTS["es"])
    return AutoReplySettings(merchant=merchant, subject=texts["subject"], body=texts["body"])


def placeholder_names() -> tuple[str, ...]:
    return PLACEHOLDERS
