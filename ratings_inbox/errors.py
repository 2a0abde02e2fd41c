"""Errors every app may raise, whatever its layer: the API answers them alike (API.md "Status codes")."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The write contradicts existing data (API 409), e.g. a second rating for a visit."""
