"""JSON bodies only (anything else is a 415), never more than DATA_UPLOAD_MAX_MEMORY_SIZE (413);
malformed JSON, JSON nested past the recursion limit and lone surrogates are a 400."""

from __future__ import annotations

import io
import json
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .exceptions import RequestTooLarge

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


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
        try:
            parsed = super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError as exc:  # "[[[[…" nested past the interpreter's limit (SEC-7)
            raise ParseError(_("JSON nested too deeply.")) from exc
        if _SURROGATE_ESCAPE.search(data):
            # "\ud800" alone is valid JSON but no UTF-8 text: refused here, or an error message
            # echoing it back could not be encoded (a 500, SEC-7). Pairs (emoji) pass.
            try:
                json.dumps(parsed, ensure_ascii=False).encode()
            except UnicodeEncodeError as exc:
                raise ParseError(_("The body is not valid UTF-8 text.")) from exc
        return parsed
