"""Resolves the merchant named in the URL and sets it for row-level security (TEN-2, TEN-4).

Any view whose URL captures `merchant_slug` runs with request.merchant set, the merchant's
time zone active and `app.merchant_id` set for one database transaction, opened here and
spanning the rest of the request (the view, its template; ATOMIC_REQUESTS keeps the view's own
writes all-or-nothing inside it). The setting is transaction-local (SET LOCAL, SCALE-3): the
transaction's end discards it, so neither a reused connection nor PgBouncer's next client ever
finds a merchant set.
A logged-in user who is not a member gets 404 here, before any view; token and
integration-key callers of the API are checked by the API's permission classes.
"""

from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from . import tenancy
from .access import Access
from .selectors import membership_get


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.merchant = None
        request.membership = None
        request.access = None
        request._tenant_transaction = None
        try:
            response = self.get_response(request)
        except BaseException as exc:
            self._end(request, exc)
            raise
        self._end(request, None)
        return response

    @staticmethod
    def _end(request, exc: BaseException | None) -> None:
        if request._tenant_transaction is None:
            return
        atomic, outermost = request._tenant_transaction
        if exc is None and not outermost:
            tenancy.clear_tenant()  # a transaction that outlives the request (a test's): no merchant
        else:
            tenancy.forget()  # the transaction's end discards the settings
        timezone.deactivate()
        atomic.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("merchant_slug")
        if slug is not None:
            request._tenant_transaction = (transaction.atomic(savepoint=False), not connection.in_atomic_block)
            request._tenant_transaction[0].__enter__()
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            merchant = tenancy.enter_merchant(slug, user_id=user_id)
            if merchant is None:
                raise Http404("No such merchant.")
            request.merchant = merchant
            timezone.activate(ZoneInfo(merchant.timezone))
            if user_id is not None:
                # A logged-in non-member learns nothing, whatever the URL or method (TEN-3).
                request.membership = membership_get(merchant=merchant, user=user)
                request.access = Access.member(request.membership, merchant)
        return None
