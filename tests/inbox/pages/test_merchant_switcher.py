"""The merchant switcher's unread comments per merchant (TEN-2, INB-1): from the kept counters, within
the branches each membership may see, in one statement however many merchants, and nothing of a
merchant the user does not belong to."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from merchants import tenancy
from ratings.models import Rating
from ratings.selectors import unread_comments_of_user

pytestmark = pytest.mark.django_db

OWNER = "owner@multi.example.com"


def _unread_shown(html: str) -> dict[str, int]:
    return {slug: int(n) for slug, n in
            re.findall(r'data-unread="([\w-]+)"><span aria-hidden="true">(\d+)</span>', html)}


def _unread_direct(merchant, branches=None) -> int:
    with tenancy.tenant(merchant.pk):
        rows = Rating.objects.filter(merchant=merchant, is_read=False, comment__isnull=False)
        if branches is not None:
            rows = rows.filter(branch__in=branches)
        return rows.count()


def _statements(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.fixture
def world(make):
    merchants = [make.merchant(f"shop-{n}", name=f"Merchant {n}") for n in range(4)]
    restricted_branch = make.branch(merchants[1], "Norte")
    for n, merchant in enumerate(merchants):
        for k in range(n + 2):
            make.rating(merchant, 3, f"comentario {k}")  # unread, with a comment
        make.rating(merchant, 9)  # unread, no comment: not counted
    make.rating(merchants[1], 2, "en Norte", branch=restricted_branch)
    make.rating(merchants[1], 2, "también en Norte", branch=restricted_branch)
    make.member(merchants[0], "admin", email=OWNER)
    user = make.member(merchants[1], "agent", email=OWNER, branches=[restricted_branch])
    make.member(merchants[2], "staff", email=OWNER)
    # merchants[3]: not a member; its counts must never show.
    return {"merchants": merchants, "user": user, "norte": restricted_branch}


def test_switcher_shows_each_merchants_unread_comments_from_the_counters_TEN_2_INB_1(client, world):
    m0, m1, m2, m3 = world["merchants"]
    client.force_login(world["user"])
    html = client.get(f"/m/{m0.slug}/inbox/").content.decode()
    shown = _unread_shown(html)
    assert shown == {m0.slug: _unread_direct(m0), m1.slug: _unread_direct(m1, [world["norte"]]),
                     m2.slug: _unread_direct(m2)}
    assert shown == {m0.slug: 2, m1.slug: 2, m2.slug: 4}  # Merchant 1: only the restricted branch's two
    assert m3.slug not in html and m3.name not in html
    # The summary says how many wait in the other merchants.
    assert re.search(r'switcher-count--others"><span aria-hidden="true">6<', html)


def test_switcher_counts_are_one_statement_for_all_merchants_TEN_2(client, world, make):
    m0, m1, m2, m3 = world["merchants"]
    client.force_login(world["user"])
    url = f"/m/{m0.slug}/gifts/redeem/"  # a page with the switcher and little else
    three = _statements(client, url)
    make.member(m3, "staff", email=OWNER)
    four = _statements(client, url)
    assert four == three  # one statement whatever the number of merchants (no N+1)
    single = make.member(m0, "admin")
    client.force_login(single)
    assert _statements(client, url) == three - 1  # one merchant: nothing to switch to, no count read


def test_the_function_reads_only_the_session_users_own_merchants_TEN_2(world, make):
    m0, m1, m2, m3 = world["merchants"]
    stranger = make.member(m3, "admin")
    with tenancy.tenant(m3.pk, user_id=stranger.pk):
        assert unread_comments_of_user() == {m3.pk: _unread_direct(m3)}
    with tenancy.tenant(m0.pk, user_id=world["user"].pk):
        assert set(unread_comments_of_user()) == {m0.pk, m1.pk, m2.pk}
    with tenancy.tenant(m0.pk):  # no user on the session
        assert unread_comments_of_user() == {}
