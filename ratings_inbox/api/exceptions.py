"""Every error of the API as JSON with the status code of API.md "Status codes" (API-3).

400 `{"field": ["message"]}` or `{"detail": "..."}`; a service's django ValidationError is a
400 with its fields, or a 409 when it is a conflict (ratings_inbox.errors.Conflict or code
"conflict"); bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are a 413. Nothing a client sends
may turn into a 500.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ratings_inbox.errors import Conflict

logger = logging.getLogger(__name__)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is larger than 1 MB.")
    default_code = "request_too_large"


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This conflicts with existing data.")
    default_code = "conflict"


def _is_conflict(exc: DjangoValidationError) -> bool:
    if isinstance(exc, Conflict):
        return True
    if getattr(exc, "code", None) == "conflict":
        return True
    for error in getattr(exc, "error_list", None) or []:
        if getattr(error, "code", None) == "conflict":
            return True
    for errors in (getattr(exc, "error_dict", None) or {}).values():
        if any(getattr(error, "code", None) == "conflict" for error in errors):
            return True
    return False


def django_errors(exc: DjangoValidationError, *, rename: dict | None = None) -> dict:
    """A service's ValidationError as an API body: {"field": ["message"]} or {"detail": "..."}."""
    if hasattr(exc, "error_dict"):
        body: dict = {}
        for field, messages in exc.message_dict.items():
            if field == "__all__":
                body["detail"] = " ".join(messages)
                continue
            target = (rename or {}).get(field, field)
            if isinstance(target, tuple):  # nested: ("customer", "full_name")
                body.setdefault(target[0], {}).setdefault(target[1], []).extend(messages)
            else:
                body.setdefault(target, []).extend(messages)
        return body
    return {"detail": " ".join(exc.messages)}


def _flatten_non_field(data):
    if isinstance(data, dict) and "non_field_errors" in data:
        data = dict(data)
        messages = data.pop("non_field_errors")
        data["detail"] = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
    return data


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        body = django_errors(exc, rename=getattr(context.get("view"), "error_fields", None))
        code = status.HTTP_409_CONFLICT if _is_conflict(exc) else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, IntegrityError):
        logger.warning("integrity error answered as 409: %s", exc)
        exc = ConflictError()
    elif isinstance(exc, DataError):
        logger.warning("data error answered as 400: %s", exc)
        exc = exceptions.ValidationError({"detail": _("A value is out of range or malformed.")})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 400:
        response.data = _flatten_non_field(response.data)
    return response
