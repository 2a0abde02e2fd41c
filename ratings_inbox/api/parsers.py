"""JSON bodies only (anything else is a 415), never more than DATA_UPLOAD_MAX_MEMORY_SIZE (413)."""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework.parsers import JSONParser

from .exceptions import RequestTooLarge


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if length and int(length) > limit:
                raise RequestTooLarge()
        except ValueError:
            pass
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise RequestTooLarge()
        return super().parse(io.BytesIO(data), media_type, parser_context)
