"""Who calls the API: a person (a user) or a merchant's integration key (API-2)."""

from __future__ import annotations


def is_api_key(user) -> bool:
    """Whether request.user is an integration key's principal rather than a person."""
    return getattr(user, "is_api_key", False)
