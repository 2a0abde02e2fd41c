"""Input fields that refuse what the database cannot store (NUL, lone surrogates)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_ID = 2**63 - 1


class Text(serializers.CharField):
    default_error_messages = {"encoding": _("Not valid text.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            self.fail("invalid")
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("encoding")
        return value


class Id(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, (bool, float)):
            self.fail("invalid")
        return super().to_internal_value(data)
