"""Reads about merchants, members and branches. Every function takes the merchant first."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404

from ratings_inbox import rows

from .access import Access
from .models import ApiKey, Branch, Membership, MembershipBranch, Merchant


def membership_get(*, merchant: Merchant, user) -> Membership:
    """The user's membership of the merchant, or 404: non-members learn nothing (TEN-3).

    Read on every request of a member, so by plain SQL (ratings_inbox.rows); the API's token
    authentication reads it with the token (`user.memberships_read`) and it is not read twice.
    """
    if user is None or not user.is_authenticated:
        raise Http404("No such merchant.")
    known = getattr(user, "memberships_read", None)
    if known is not None and merchant.pk in known:
        membership = known[merchant.pk]
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {rows.select_list(Membership, 'ms')} FROM merchants_membership ms"
                           " WHERE ms.merchant_id = %s AND ms.user_id = %s", [merchant.pk, user.pk])
            row = cursor.fetchone()
        membership = rows.instance(Membership, row) if row is not None else None
    if membership is None:
        raise Http404("No such merchant.")
    membership.merchant = merchant
    return membership


def api_keys_by_prefix(prefix: str) -> list[ApiKey]:
    """The integration keys with this public prefix, whichever merchants' they are (API-2): a
    prefix is unique only within its merchant (SCALE-2), the caller compares each key's hash.

    A key names no merchant until it is found: the one read across merchants the application
    role may make, through a function that runs as the table owner (merchants migration 0006).
    """
    return list(ApiKey.objects.raw("SELECT * FROM merchants_apikey_by_prefix(%s)", [prefix]))


def branch_find(*, access: Access, id: int) -> Branch | None:
    """One of the branches the access may see, or None: branch_list's rule in plain SQL
    (ratings_inbox.rows), for the point of sale's every visit (issue 13)."""
    branch_rule, branch_params = access.branch_sql("b.id")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {rows.select_list(Branch, 'b')} FROM merchants_branch b"
                       f" WHERE b.merchant_id = %s{branch_rule} AND b.id = %s", [access.merchant_id, *branch_params, id])
        row = cursor.fetchone()
    return None if row is None else rows.instance(Branch, row)


def branch_list(*, access: Access) -> QuerySet[Branch]:
    """The merchant's branches that the access may see, by name (TEN-5)."""
    return access.scope(Branch.objects, branch="id").order_by("name", "id")


def members_for_branch(*, access: Access, branch_id: int) -> QuerySet[Membership]:
    """The members who can see a branch (CASE-3: who may own its cases), with their users, by name.

    One statement: unrestricted members, and restricted ones linked to the branch by a sub-select
    (a join over every branch link would repeat the unrestricted ones). 404 for a branch outside
    the access (TEN-3).
    """
    access.check_branch(branch_id)
    linked = access.scope(MembershipBranch.objects, branch=None).filter(branch_id=branch_id).values("membership_id")
    return (access.scope(Membership.objects, branch=None)
            .filter(Q(restricted_to_branches=False) | Q(pk__in=linked))
            .select_related("user")
            .order_by(Lower(Coalesce(NullIf("user__full_name", Value("")), "user__email")), "user_id"))


def member_list(*, access: Access) -> QuerySet[Membership]:
    """The merchant's members with their users, by name: whom a case can be assigned to (CASE-3)."""
    return (access.scope(Membership.objects, branch=None).select_related("user")
            .order_by("user__full_name", "user__email", "id"))


def api_key_list(*, access: Access) -> QuerySet[ApiKey]:
    """The merchant's integration keys (admins only, checked by the caller's role)."""
    return access.scope(ApiKey.objects, branch=None)


def api_key_get(*, access: Access, id: int) -> ApiKey:
    key = api_key_list(access=access).filter(pk=id).first()
    if key is None:
        raise Http404("No such key.")
    return key


def memberships_of_user(user) -> QuerySet[Membership]:
    """All merchants a user belongs to, for the merchant switcher (TEN-2).

    Readable before any merchant is chosen through the policy on the user's own rows.
    """
    return Membership.objects.filter(user=user).select_related("merchant").order_by("merchant__name")
