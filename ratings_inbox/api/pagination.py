"""Cursor pagination of every list (API.md "Lists"): key-set over the ordering's columns.

page_size defaults to 25 and is clamped to 100; a page_size that is not a positive integer
or a cursor the API did not issue is a 400 naming it. No COUNT(*), no OFFSET.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from ratings_inbox.keyset import Column, InvalidCursor, decode_cursor, paginate

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_PAGE_SCHEMAS: dict = {}
_DIGITS = re.compile(r"[0-9]+")


def page_size_from(request) -> int:
    """Any positive integer, however long: past MAX_PAGE_SIZE it is clamped, not refused. The
    digits are counted, not converted, so a 5,000-digit value costs nothing."""
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    digits = raw.lstrip("0") if _DIGITS.fullmatch(raw) else ""
    if not digits:
        raise ValidationError({"page_size": [_("Must be a positive integer.")]})
    return MAX_PAGE_SIZE if len(digits) > 3 else min(int(digits), MAX_PAGE_SIZE)


def _check_types(model, columns: list[Column], values: list) -> None:
    """A cursor's values have the types of their columns, so no query can fail on them
    (decode_cursor already refused values of no column's type: NUL, integers past 64 bits)."""
    for column, value in zip(columns, values, strict=True):
        field = model._meta.get_field(column.name)
        if isinstance(field, models.DateTimeField):
            ok = isinstance(value, dt.datetime)
        elif isinstance(field, models.BooleanField):
            ok = isinstance(value, bool)
        elif isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)):
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise InvalidCursor("bad cursor value")


def paginated_response(request, queryset, *, ordering: str, columns: list[Column], serialize) -> Response:
    """One page of `queryset` as {"next", "previous", "results"} with absolute links."""
    size = page_size_from(request)
    cursor = request.query_params.get("cursor") or None
    try:
        if cursor is not None:
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
