"""Logs as JSON lines carrying the request id and the merchant (SCALE-1: every process writes to
stdout, nothing to its disk; a log collector joins a request's lines across web and worker).

`RequestIdMiddleware` takes the proxy's X-Request-ID (or makes one), returns it on the response
and keeps it for the request's log lines; merchants.tenancy records the merchant a request or task
acts for. Both are context variables, so threads and tasks never mix them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
merchant_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("merchant_id", default=None)

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")  # an id from the proxy, never free text into the logs


class JsonFormatter(logging.Formatter):
    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
            "merchant_id": merchant_id.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)




class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Set afresh at each request's start, not reset at its end: Django logs a 4xx/5xx
        # response after the middlewares have returned it.
        given = request.headers.get(HEADER, "")
        request_id.set(given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex)
        merchant_id.set(None)
        response = self.get_response(request)
        response[HEADER] = request_id.get()
        return response
