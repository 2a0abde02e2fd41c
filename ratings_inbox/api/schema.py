"""OpenAPI helpers: the error responses every endpoint documents (API.md "Status codes")."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='`{"<field>": ["message", …]}` or `{"detail": "…"}`',
)

ERROR_DESCRIPTIONS = {
    400: "Invalid input; the body names the offending fields or parameters.",
    401: "No or bad credentials.",
    403: "The caller's role (or integration key) does not allow this.",
    404: "Not a merchant of the caller, or an unknown id.",
    409: "Conflicts with existing data.",
    413: "Body over 1 MB.",
    415: "Body is not JSON.",
    429: "Too many requests; see Retry-After.",
}


def errors(*codes: int) -> dict:
    return {
        code: OpenApiResponse(OpenApiTypes.OBJECT, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


READ_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 413, 415, 429)

PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="Opaque cursor from `next`/`previous`; 400 when not issued by the API."),
    OpenApiParameter(
        "page_size", int,
        description="Items per page, default 25; values over 100 are clamped to 100; 400 unless a positive integer.",
    ),
]
