"""Cursor pagination of every list (API.md "Lists"): key-set over the ordering's columns.

page_size defaults to 25 and is clamped to 100; a page_size that is not a positive integer
or a cursor the API did not issue is a 400 naming it. No COUNT(*), no OFFSET.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from ratings.keyset import Column, InvalidCursor, decode_cursor, paginate

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_PAGE_SCHEMAS: dict = {}
_POSITIVE = re.compile(r"^[0-9]{1,9}$")


def page_size_from(request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not _POSITIVE.match(raw) or int(raw) < 1:
        raise ValidationError({"page_size": [_("Must be a positive integer.")]})
    return min(int(raw), MAX_PAGE_SIZE)


def _check_types(model, columns: list[Column], values: list) -> None:
    """A cursor's values have the types of their columns, so no query can fail on them."""
    for column, value in zip(columns, values, strict=True):
        field = model._meta.get_field(column.name)
        if isinstance(field, models.DateTimeField):
            ok = isinstance(value, dt.datetime) and value.tzinfo is not None
        elif isinstance(field, models.BooleanField):
            ok = isinstance(value, bool)
        elif isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)):
            ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63
        else:
            ok = isinstance(value, str) and "\x00" not in value
        if not ok:
            raise InvalidCursor("bad cursor value")


def paginated_response(request, queryset, *, ordering: str, columns: list[Column], serialize) -> Response:
    """One page of `queryset` as {"next", "previous", "results"} with absolute links."""
    size = page_size_from(request)
    cursor = request.query_params.get("cursor") or None
    try:
        if cursor is not None:
            if len(cursor) > 2000:
                raise InvalidCursor("cursor too long")
            values, _reverse = decode_cursor(cursor, ordering, columns)
            _check_types(queryset.model, columns, values)
        page = paginate(queryset, ordering=ordering, columns=columns, cursor=cursor, size=size)
    except InvalidCursor as exc:
        raise ValidationError({"cursor": [_("This cursor was not issued by the API.")]}) from exc
    url = request.build_absolute_uri()

    def link(token):
        if token is None:
            return None
        return replace_query_param(url, "cursor", token)

    return Response({
        "next": link(page.next_cursor),
        "previous": link(page.previous_cursor),
        "results": serialize(page.rows),
    })



def paginated_schema(item_serializer, name: str):
    """The OpenAPI shape of a page of `item_serializer` items."""
    from drf_spectacular.utils import inline_serializer

    if name in _PAGE_SCHEMAS:
        return _PAGE_SCHEMAS[name]
    _PAGE_SCHEMAS[name] = inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer(many=True),
        },
    )
    return _PAGE_SCHEMAS[name]
