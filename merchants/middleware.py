"""Resolves the merchant named in the URL and sets it for row-level security (TEN-2, TEN-4).

Every request runs in one database transaction, opened here around everything after this
middleware (the view, its template, the other middlewares' lookups; ATOMIC_REQUESTS keeps the
view's own writes all-or-nothing inside it). Any view whose URL captures `merchant_slug` runs
with request.merchant set, the merchant's time zone active and `app.merchant_id` set for that
transaction only (SET LOCAL, SCALE-3): its end discards it, so neither a reused connection nor
PgBouncer's next client ever finds a merchant set.
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
        request._tenant_set = False
        outermost = not connection.in_atomic_block
        with transaction.atomic(savepoint=False):
            try:
                return self.get_response(request)
            finally:
                if request._tenant_set:
                    # A transaction that outlives the request (a test's) is set back to no merchant.
                    if outermost:
                        tenancy.forget()
                    else:
                        tenancy.clear_tenant()
                    timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("merchant_slug")
        if slug is not None:
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            merchant = tenancy.enter_merchant(slug, user_id=user_id)
            if merchant is None:
                raise Http404("No such merchant.")
            request.merchant = merchant
            request._tenant_set = True
            timezone.activate(ZoneInfo(merchant.timezone))
            if user_id is not None:
                # A logged-in non-member learns nothing, whatever the URL or method (TEN-3).
                request.membership = membership_get(merchant=merchant, user=user)
                request.access = Access.member(request.membership, merchant)
        return None
