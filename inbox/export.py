"""The inbox list as a CSV file for admins (CASE-10): the writer, its stream, the API and page views.

The file is streamed: rows are read in key-set pages (ratings.selectors.rating_export_rows) and
written a page at a time, so an export of every rating of a large merchant holds one page in
memory. Cells are made safe for spreadsheets (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer

from merchants import tenancy
from merchants.access import Access
from merchants.api_views import MerchantView
from merchants.decorators import member_required
from merchants.selectors import branch_list
from ratings.forms import InboxStateForm, filters_from_state
from ratings.models import band_for
from ratings.selectors import DEFAULT_ORDERING, EXPORT_PAGE_SIZE, ORDERINGS, RatingFilters, rating_export_rows
from ratings_inbox.api import params
from ratings_inbox.api.schema import PAGE_PARAMETERS, READ_ERRORS, errors

from .api import LIST_PARAMETERS, check_references, filters_from_query

HEADER = ("id", "created_at", "branch", "customer", "email", "score", "band", "comment", "status", "priority",
          "owner", "first_response_at", "resolved_at", "followup_score")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection"):
# such a cell gets a leading quote, which makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BANDS = {score: str(band_for(score)) for score in range(1, 11)}
CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralised(text: str | None) -> str | None:
    """`text` as a spreadsheet shows it, never as a formula it would run."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_chunks(rows: Iterable[tuple], *, zone: dt.tzinfo, chunk_rows: int = EXPORT_PAGE_SIZE) -> Iterator[bytes]:
    """The header, then rows of ratings.selectors.EXPORT_COLUMNS as CSV lines, `chunk_rows` a chunk.

    Times are ISO 8601 in `zone` (the merchant's); ids and scores stay numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)

    def when(value: dt.datetime | None) -> str | None:
        return None if value is None else value.astimezone(zone).isoformat()

    def flush() -> bytes:
        chunk = buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    written = 0
    for (id_, created_at, branch, customer, email, score, comment, status, priority, owner, first_response_at,
         resolved_at, followup_score) in rows:
        writer.writerow((
            id_, when(created_at), neutralised(branch), neutralised(customer), neutralised(email), score,
            BANDS[score], neutralised(comment), status, priority, neutralised(owner), when(first_response_at),
            when(resolved_at), followup_score,
        ))
        written += 1
        if written == chunk_rows:
            yield flush()
            written = 0
    yield flush()


def export_filename(merchant) -> str:
    today = timezone.now().astimezone(ZoneInfo(merchant.timezone)).date()
    return f"calificaciones-{merchant.slug}-{today.isoformat()}.csv"


def _stream(access: Access, filters: RatingFilters, ordering: str) -> Iterator[bytes]:
    # The server consumes this after the view has returned: outside the request's transaction,
    # whose end discarded the merchant. So the pages are read under the merchant again (row-level
    # security, TEN-4: each page's statement in a transaction that sets it, SCALE-3), and the
    # merchant chosen before is restored afterwards, also when the client goes away mid-file (the
    # server closes the generator).
    with tenancy.tenant(access.merchant_id, user_id=access.user_id):
        rows = rating_export_rows(access=access, filters=filters, ordering=ordering)
        yield from csv_chunks(rows, zone=ZoneInfo(access.merchant.timezone))


def export_response(*, access: Access, filters: RatingFilters, ordering: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_stream(access, filters, ordering), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(access.merchant)}"'
    return response


EXPORT_PARAMETERS = [parameter for parameter in LIST_PARAMETERS if parameter not in PAGE_PARAMETERS]


class RatingExportView(MerchantView):
    """GET …/ratings/export.csv (API.md "Follow-up cases"): admins only."""

    roles = {"GET": "admin"}

    def perform_content_negotiation(self, request, force=False):
        # The CSV is the view's own streamed response; whatever DRF renders is an error, in JSON
        # like every API error, whatever the Accept header (a client asking for text/csv included).
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        operation_id="ratings_export", parameters=EXPORT_PARAMETERS,
        responses={(200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR,
            description="A header row, then one row per rating of the list (every page): " + ", ".join(HEADER)
                        + ". Times in ISO 8601 in the merchant's time zone; a cell starting with =, +, -, @, "
                          "tab or carriage return is prefixed with '."),
            **errors(*READ_ERRORS)},
        description="Admins only (CASE-10): the ratings list with the same filters and ordering, as CSV, "
                    "streamed.",
    )
    def get(self, request, merchant_slug):
        filters = filters_from_query(self, request)
        ordering = params.choice(request, "ordering", list(ORDERINGS), DEFAULT_ORDERING)
        check_references(self, filters)
        return export_response(access=self.access, filters=filters, ordering=ordering)


@require_GET
@member_required(role="admin")
def inbox_export(request, merchant_slug):
    """The inbox's current list (its query string: sort, branch, dates, search) as CSV (CASE-10)."""
    form = InboxStateForm(request.GET, branches=branch_list(access=request.access))
    state = form.state()
    return export_response(access=request.access, filters=filters_from_state(state), ordering=state["sort"])
