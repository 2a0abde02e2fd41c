"""Access to a merchant's pages: login, membership (404 otherwise) and role (PRODUCT.md §9)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .access import Access
from .selectors import membership_get


def member_required(role: str = "staff"):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership or membership_get(merchant=request.merchant, user=request.user)
            if not membership.has_role(role):
                raise PermissionDenied
            access = getattr(request, "access", None)
            if access is None or access.membership is not membership:
                request.access = Access.member(membership, request.merchant)
            request.membership = membership
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
