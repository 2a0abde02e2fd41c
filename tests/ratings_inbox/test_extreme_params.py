"""Valid extremes are answered, not refused (API.md "Conventions", SEC-7): a huge page_size is
clamped to 100, the first and last calendar days are dates like any other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import base


@pytest.mark.parametrize("size", ["101", "1000000000000", "0" * 50 + "500", "9" * 5000])
@pytest.mark.parametrize("path", ["ratings/", "customers/", "gifts/", "gift-grants/", "branches/", "api-keys/"])
def test_page_size_past_the_maximum_is_clamped_to_100(make, merchant, admin_client, path, size):
    response = admin_client.get(base(merchant) + f"{path}?page_size={size}")
    assert response.status_code == 200, response.content[:200]
    assert "results" in response.json()


def test_clamped_page_size_gives_pages_of_100(make, merchant, admin_client):
    customer = make.customer(merchant)
    for _ in range(101):
        make.visit(merchant, customer=customer)
    body = admin_client.get(base(merchant) + f"customers/{customer.pk}/visits/?page_size=1000000000000").json()
    assert len(body["results"]) == 100 and body["next"] is not None


@pytest.mark.parametrize("timezone_name", ["America/Bogota", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_first_and_last_calendar_days_are_valid_bounds(make, client_for, timezone_name):
    merchant = make.merchant(timezone_name=timezone_name)
    client = client_for(make.admin(merchant))
    rating = make.rating(merchant, 9, created_at=timezone.now() - dt.timedelta(days=1))
    for query in ("date_from=0001-01-01", "date_to=9999-12-31", "date_from=0001-01-01&date_to=9999-12-31",
                  "date_from=0001-01-02&date_to=9999-12-30"):
        listed = client.get(base(merchant) + "ratings/?" + query)
        assert listed.status_code == 200, (query, listed.content)
        assert [r["id"] for r in listed.json()["results"]] == [rating.pk]
        summary = client.get(base(merchant) + "ratings/summary/?" + query)
        assert summary.status_code == 200 and summary.json()["total_ratings"] == 1
    nothing = client.get(base(merchant) + "ratings/?date_from=9999-12-31").json()["results"]
    assert nothing == [] and client.get(base(merchant) + "ratings/?date_to=0001-01-01").json()["results"] == []


def test_inbox_page_and_poll_take_the_last_calendar_day(make, merchant, client):
    rating = make.rating(merchant, 9)
    client.force_login(make.admin(merchant))
    page = client.get(f"/m/{merchant.slug}/inbox/?date_from=0001-01-01&date_to=9999-12-31")
    assert page.status_code == 200 and f'id="row-{rating.pk}"' in page.content.decode()
    poll = client.get(f"/m/{merchant.slug}/inbox/poll/?date_to=9999-12-31&sig=old&open={rating.pk}")
    assert poll.status_code == 200


def test_inbox_scroll_with_a_nul_in_the_cursor_starts_over(make, merchant, client):
    from ratings_inbox.keyset import encode_cursor

    rating = make.rating(merchant, 9)
    client.force_login(make.admin(merchant))
    cursor = encode_cursor("customer", ["a\x00b", rating.created_at, rating.pk])
    response = client.get(f"/m/{merchant.slug}/inbox/?sort=customer&cursor={cursor}",
                          headers={"HX-Request": "true", "HX-Target": "load-more"})
    assert response.status_code == 200 and f'id="row-{rating.pk}"' in response.content.decode()
