"""API.md "Ratings" list: fields, every filter and ordering, cursors, page sizes (INB-2..4, API-1)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from merchants import tenancy
from merchants.access import Access
from tests.conftest import base

ITEM_FIELDS = {"id", "score", "band", "customer", "branch", "created_at", "has_comment", "comment_excerpt",
               "is_read", "messages_count", "last_message_at"}


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def walk(client, url):
    """Every id over every page, following `next`."""
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
        pages += 1
        assert pages < 100
    return seen


def test_item_has_every_field_with_its_type(make, merchant, admin_client):
    """INB-2 / API.md item: every field, right types, created_at with the merchant's offset."""
    long_comment = "á" * 200
    rating = make.rating(merchant, 9, long_comment)
    make.rating(merchant, 4, None)
    body = admin_client.get(base(merchant) + "ratings/").json()
    assert set(body) == {"next", "previous", "results"}
    item = next(i for i in body["results"] if i["id"] == rating.id)
    assert set(item) >= ITEM_FIELDS
    assert item["score"] == 9 and item["band"] == "promoter"
    assert item["customer"] == {"id": rating.customer_id, "full_name": "José Pérez"}
    assert set(item["branch"]) == {"id", "name"}
    assert item["created_at"].endswith("-05:00")  # America/Bogota
    assert item["has_comment"] is True and item["is_read"] is False
    assert item["comment_excerpt"] == "á" * 140  # nothing added
    assert isinstance(item["messages_count"], int) and item["messages_count"] == 1
    assert item["last_message_at"].endswith("-05:00")
    silent = next(i for i in body["results"] if i["id"] != rating.id)
    assert silent["has_comment"] is False and silent["comment_excerpt"] is None
    assert silent["band"] == "detractor" and silent["last_message_at"] is None


def test_later_customer_message_counts_as_comment(make, merchant, admin_client):
    from ratings.services import customer_message_add

    rating = make.rating(merchant, 6, None)
    customer_message_add(merchant=merchant, rating=rating, body="Se demoraron mucho")
    assert ids(admin_client.get(base(merchant) + "ratings/?has_comment=true")) == [rating.id]
    assert ids(admin_client.get(base(merchant) + "ratings/?has_comment=false")) == []


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Bogota"])
def test_date_filters_are_whole_days_in_the_merchant_zone(make, client_for, zone):
    """INB-4: date_from/date_to inclusive, in the merchant's time zone, on created_at."""
    merchant = make.merchant(timezone_name=zone)
    client = client_for(make.admin(merchant))
    tz = ZoneInfo(zone)
    last_of_9 = make.rating(merchant, 8, created_at=dt.datetime(2026, 11, 9, 23, 59, 59, 999999, tzinfo=tz))
    first_of_10 = make.rating(merchant, 8, created_at=dt.datetime(2026, 11, 10, 0, 0, tzinfo=tz))
    last_of_10 = make.rating(merchant, 8, created_at=dt.datetime(2026, 11, 10, 23, 59, 59, tzinfo=tz))
    first_of_11 = make.rating(merchant, 8, created_at=dt.datetime(2026, 11, 11, 0, 0, tzinfo=tz))
    url = base(merchant) + "ratings/"
    assert ids(client.get(url + "?date_from=2026-11-10&date_to=2026-11-10")) == [last_of_10.id, first_of_10.id]
    assert ids(client.get(url + "?date_to=2026-11-09")) == [last_of_9.id]
    assert ids(client.get(url + "?date_from=2026-11-11")) == [first_of_11.id]
    item = client.get(url + "?date_from=2026-11-11").json()["results"][0]
    offset = dt.datetime(2026, 11, 11, tzinfo=tz).strftime("%z")
    assert item["created_at"] == f"2026-11-11T00:00:00{offset[:3]}:{offset[3:]}"
    summary = client.get(url + "summary/?date_from=2026-11-10&date_to=2026-11-10").json()
    assert summary["total_ratings"] == 2


def test_name_search_is_word_prefix_accent_and_case_insensitive_INB_4(make, merchant, admin_client):
    jose = make.rating(merchant, 8, customer=make.customer(merchant, "José Ñúñez Pérez"))
    make.rating(merchant, 8, customer=make.customer(merchant, "Ana Gómez"))
    url = base(merchant) + "ratings/?q="
    assert ids(admin_client.get(url + "jose")) == [jose.id]
    assert ids(admin_client.get(url + "NUNEZ")) == [jose.id]
    assert ids(admin_client.get(url + "per jo")) == [jose.id]
    assert ids(admin_client.get(url + "ana per")) == []  # every word in the same customer's name
    assert ids(admin_client.get(url + "érez")) == []  # start of a word only
    assert ids(admin_client.get(url + "zzz")) == []


def test_band_score_read_comment_branch_customer_filters(make, merchant, admin_client):
    from ratings.services import rating_mark_read

    other_branch = make.branch(merchant, "Norte")
    customer = make.customer(merchant, "Carla Ruiz")
    promoter = make.rating(merchant, 10, "Excelente", customer=customer)
    passive = make.rating(merchant, 7, None, branch=other_branch)
    detractor = make.rating(merchant, 2, "Malo")
    rating_mark_read(merchant=merchant, rating=detractor)
    url = base(merchant) + "ratings/"
    assert ids(admin_client.get(url + "?band=promoter")) == [promoter.id]
    assert ids(admin_client.get(url + "?band=passive")) == [passive.id]
    assert ids(admin_client.get(url + "?band=detractor")) == [detractor.id]
    assert set(ids(admin_client.get(url + "?score_min=7&score_max=10"))) == {promoter.id, passive.id}
    assert ids(admin_client.get(url + "?score_min=2&score_max=2")) == [detractor.id]
    assert ids(admin_client.get(url + "?is_read=true")) == [detractor.id]
    assert set(ids(admin_client.get(url + "?is_read=false"))) == {promoter.id, passive.id}
    assert ids(admin_client.get(url + "?has_comment=false")) == [passive.id]
    assert ids(admin_client.get(url + f"?branch={other_branch.id}")) == [passive.id]
    assert ids(admin_client.get(url + f"?customer={customer.id}")) == [promoter.id]
    assert ids(admin_client.get(url + f"?customer={customer.id}&band=detractor")) == []


@pytest.mark.parametrize("query, name", [
    ("score_min=11", "score_min"), ("score_min=0", "score_min"), ("score_max=abc", "score_max"),
    ("date_from=2026-13-01", "date_from"), ("date_to=2026-02-30", "date_to"), ("date_from=yesterday", "date_from"),
    ("ordering=password", "ordering"), ("branch=abc", "branch"), ("branch=-1", "branch"),
    ("customer=1.5", "customer"), ("band=great", "band"), ("has_comment=yes", "has_comment"),
    ("is_read=1", "is_read"), ("page_size=0", "page_size"), ("page_size=-3", "page_size"),
    ("page_size=ten", "page_size"), ("page_size=2.5", "page_size"), ("cursor=not-a-cursor", "cursor"),
    ("q=a%00b", "q"), ("date_to=10000-01-01", "date_to"), ("date_from=0000-12-31", "date_from"),
    ("branch=99999999999999999999999", "branch"), ("page_size=0000", "page_size"), ("page_size=%C2%B2", "page_size"),
])
def test_invalid_parameters_are_400_naming_them(make, merchant, admin_client, query, name):
    response = admin_client.get(base(merchant) + "ratings/?" + query)
    assert response.status_code == 400
    assert name in response.json()


def test_branch_or_customer_of_another_merchant_is_400(make, merchant, other_merchant, admin_client):
    from merchants.models import Branch

    with tenancy.tenant(other_merchant.pk):
        foreign_branch = Branch.objects.filter(merchant=other_merchant).first()
    foreign = make.rating(other_merchant, 5)
    url = base(merchant) + "ratings/"
    assert "branch" in admin_client.get(url + f"?branch={foreign_branch.id}").json()
    assert admin_client.get(url + f"?customer={foreign.customer_id}").status_code == 400
    assert "customer" in admin_client.get(url + f"?customer={foreign.customer_id}").json()
    assert "branch" in admin_client.get(url + f"summary/?branch={foreign_branch.id}").json()


def test_branch_filter_is_checked_only_when_nothing_matched(make, merchant, admin_client):
    """API-3 at speed: rows that match a branch prove it is the merchant's, so only an empty
    answer costs the existence check; an empty branch of the merchant is a 200."""
    rated, empty = make.branch(merchant), make.branch(merchant)
    make.rating(merchant, 7, branch=rated)
    url = base(merchant) + "ratings/"
    with CaptureQueriesContext(connection) as plain:
        assert admin_client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as filtered:
        assert len(admin_client.get(url + f"?branch={rated.id}").json()["results"]) == 1
    assert len(filtered.captured_queries) == len(plain.captured_queries)
    assert admin_client.get(url + f"?branch={empty.id}").json()["results"] == []
    assert admin_client.get(url + f"summary/?branch={empty.id}").json()["total_ratings"] == 0
    assert admin_client.get(url + "?branch=999999999").status_code == 400


def _expected(ratings, ordering):
    def key_created(r):
        return (r.created_at, r.id)

    rows = sorted(ratings, key=key_created, reverse=True)  # tie-break: -created_at, -id
    if ordering == "-created_at":
        return [r.id for r in rows]
    if ordering == "created_at":
        return [r.id for r in sorted(ratings, key=lambda r: (r.created_at, -r.id))]
    field, descending = ordering.lstrip("-"), ordering.startswith("-")
    value = {
        "score": lambda r: r.score,
        "customer": lambda r: r.customer_name_key,
        "is_read": lambda r: r.is_read,
    }[field]
    return [r.id for r in sorted(rows, key=value, reverse=descending)]  # stable sort keeps the tie-break


@pytest.fixture
def tied(make, merchant):
    """Ratings with many ties in score, time, name and read state."""
    from ratings.services import rating_mark_read

    same_time = timezone.now() - dt.timedelta(hours=1)
    alvaro_upper = make.customer(merchant, "Álvaro Díaz")
    alvaro_lower = make.customer(merchant, "alvaro díaz")
    bea = make.customer(merchant, "Beatriz")
    ratings = []
    for n, score in enumerate([5, 5, 9, 5, 9, 1, 5, 5, 9, 10, 1]):
        customer = [alvaro_upper, alvaro_lower, bea][n % 3]
        created = same_time if n % 2 else same_time - dt.timedelta(minutes=n)
        rating = make.rating(merchant, score, customer=customer, created_at=created)
        if n % 4 == 0:
            rating_mark_read(merchant=merchant, rating=rating)
        ratings.append(rating)
    from ratings.models import Rating

    return list(Rating.objects.filter(merchant=merchant))


@pytest.mark.parametrize("ordering", ["-created_at", "created_at", "-score", "score", "customer", "-customer",
                                      "is_read", "-is_read"])
def test_every_ordering_with_ties_over_pages(merchant, admin_client, tied, ordering):
    """INB-3: each ordering with its tie-break; cursors never repeat or skip a row, both ways."""
    expected = _expected(tied, ordering)
    url = base(merchant) + f"ratings/?ordering={ordering}"
    assert ids(admin_client.get(url)) == expected
    assert walk(admin_client, url + "&page_size=2") == expected
    # and back again from the last page, following `previous`
    body = admin_client.get(url + "&page_size=3").json()
    pages = [[i["id"] for i in body["results"]]]
    while body["next"]:
        body = admin_client.get(body["next"]).json()
        pages.append([i["id"] for i in body["results"]])
    back = []
    while body["previous"]:
        body = admin_client.get(body["previous"]).json()
        back.insert(0, [i["id"] for i in body["results"]])
    assert back == pages[:-1]


def test_is_read_ordering_is_unread_first(merchant, admin_client, tied):
    results = admin_client.get(base(merchant) + "ratings/?ordering=is_read").json()["results"]
    states = [r["is_read"] for r in results]
    assert states == sorted(states) and states[0] is False
    results = admin_client.get(base(merchant) + "ratings/?ordering=-is_read").json()["results"]
    assert results[0]["is_read"] is True


def test_customer_ordering_ignores_accents_and_case(make, merchant, admin_client):
    now = timezone.now()
    upper = make.rating(merchant, 8, customer=make.customer(merchant, "Álvaro"), created_at=now - dt.timedelta(hours=2))
    lower = make.rating(merchant, 8, customer=make.customer(merchant, "alvaro"), created_at=now - dt.timedelta(hours=1))
    bruno = make.rating(merchant, 8, customer=make.customer(merchant, "Bruno"), created_at=now - dt.timedelta(hours=3))
    # equal names fall to the tie-break: newest first
    assert ids(admin_client.get(base(merchant) + "ratings/?ordering=customer")) == [lower.id, upper.id, bruno.id]
    assert ids(admin_client.get(base(merchant) + "ratings/?ordering=-customer")) == [bruno.id, lower.id, upper.id]


def test_page_size_default_and_clamp(make, merchant, admin_client):
    for _ in range(3):
        make.rating(merchant, 8)
    body = admin_client.get(base(merchant) + "ratings/?page_size=2").json()
    assert len(body["results"]) == 2 and body["next"].startswith("http://testserver/api/v1/")
    assert body["previous"] is None
    assert len(admin_client.get(base(merchant) + "ratings/?page_size=1000").json()["results"]) == 3


def test_page_size_over_100_is_clamped_to_100(make, merchant, admin_client):
    for _ in range(105):
        make.rating(merchant, 8)
    body = admin_client.get(base(merchant) + "ratings/?page_size=500").json()
    assert len(body["results"]) == 100 and body["next"] is not None
    assert len(admin_client.get(base(merchant) + "ratings/").json()["results"]) == 25


def test_cursor_from_another_ordering_is_400(make, merchant, admin_client):
    for _ in range(3):
        make.rating(merchant, 8)
    next_url = admin_client.get(base(merchant) + "ratings/?page_size=1").json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    response = admin_client.get(base(merchant) + f"ratings/?ordering=score&cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.json()


def test_forged_cursor_values_are_400_not_500(make, merchant, admin_client):
    from ratings_inbox.keyset import encode_cursor

    make.rating(merchant, 8)
    for values in (["x", 1], [None, None], [[1], {"a": 1}], [{"t": "not-a-date"}, 1]):
        cursor = encode_cursor("-created_at", values)
        response = admin_client.get(base(merchant) + f"ratings/?cursor={cursor}")
        assert response.status_code == 400, values
        assert "cursor" in response.json()


def test_list_runs_a_fixed_number_of_queries_and_never_counts(make, merchant, admin_client,
                                                              django_assert_max_num_queries):
    """API.md list: page size 1 and 100 cost the same queries; no COUNT(*)."""
    from ratings.services import customer_message_add

    for n in range(30):
        rating = make.rating(merchant, 1 + n % 10, "comentario" if n % 2 else None,
                             branch=make.branch(merchant) if n % 5 == 0 else None)
        if n % 3 == 0:
            customer_message_add(merchant=merchant, rating=rating, body="otra vez")
    counts = {}
    for size in (1, 100):
        with CaptureQueriesContext(connection) as context:
            response = admin_client.get(base(merchant) + f"ratings/?page_size={size}&q=jose&has_comment=true")
        assert response.status_code == 200
        counts[size] = len(context.captured_queries)
        assert not any("COUNT(" in q["sql"].upper() for q in context.captured_queries)
        assert not any("OFFSET" in q["sql"].upper() for q in context.captured_queries)
    assert counts[1] == counts[100]
    with django_assert_max_num_queries(counts[1]):
        admin_client.get(base(merchant) + "ratings/?page_size=100&ordering=customer")


def test_list_items_shortcut_matches_drf_field_by_field(make, merchant):
    """INB-2, API.md "Ratings" items: the list builds its items directly from tuples for speed; they
    must equal DRF's own walk of RatingItemSerializer over the model instances, field by field,
    comment excerpt and thread times included."""
    from rest_framework import serializers

    from inbox.serializers import RatingItemSerializer, items_from_rows
    from ratings.models import Rating
    from ratings.selectors import rating_item_rows
    from ratings.services import rating_reply

    plain = make.rating(merchant, 3)
    commented = make.rating(merchant, 10, "¡Excelente! " * 40, branch=make.branch(merchant))
    rating_reply(merchant=merchant, rating=commented, author=make.admin(merchant), body="Gracias")
    ids = [plain.pk, commented.pk]
    for zone in ("UTC", "America/Bogota", "Asia/Kolkata"):
        with timezone.override(zone):
            fast = items_from_rows(rating_item_rows(access=Access.system(merchant)).filter(pk__in=ids).order_by("id"))
            serializer = RatingItemSerializer()
            drf = [serializers.Serializer.to_representation(serializer, row)
                   for row in Rating.objects.filter(pk__in=ids).select_related("customer", "branch").order_by("id")]
            assert fast == drf, zone
    assert fast[1]["last_message_at"] and len(fast[1]["comment_excerpt"]) < len(commented.comment)
