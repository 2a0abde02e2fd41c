"""Reads about the auto-reply: the merchant's settings."""

from __future__ import annotations

from merchants.access import Access

from .models import AutoReplySettings


def autoreply_settings_get(*, access: Access) -> AutoReplySettings:
    """The merchant's settings; when none are stored yet, the defaults (off, the default text in
    the merchant's language, AR-1), unsaved: a read never writes."""
    row = access.scope(AutoReplySettings.objects, branch=None).first()
    if row is not None:
        return row
    return AutoReplySettings.defaults_for(access.merchant)

