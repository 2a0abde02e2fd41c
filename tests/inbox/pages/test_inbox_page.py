"""The inbox page: counters, colours, sorting, filters, paging, query counts (INB-1..5, INB-7)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from merchants import tenancy

HX = {"HTTP_HX_REQUEST": "true"}


def row_ids(html):
    return [int(x) for x in re.findall(r'id="row-(\d+)"', html)]


def test_counters_follow_branch_and_dates_not_search_INB_1(make, merchant, admin_client, inbox_url):
    other_branch = make.branch(merchant, "Norte")
    make.rating(merchant, 9, "Muy bien", customer=make.customer(merchant, "Ana Ruiz"))
    make.rating(merchant, 4, "Frío", customer=make.customer(merchant, "Beto Gil"))
    make.rating(merchant, 7, branch=other_branch)
    html = admin_client.get(inbox_url + "?q=ana").content.decode()
    assert 'data-counter="total_ratings">3<' in html
    assert 'data-counter="comments_received">2<' in html
    assert 'data-counter="unread_comments">2<' in html
    assert 'data-counter="replies_sent">0<' in html
    html = admin_client.get(inbox_url + f"?branch={other_branch.id}").content.decode()
    assert 'data-counter="total_ratings">1<' in html


def test_rows_show_nps_colour_envelope_and_unread_INB_2(make, merchant, admin_client, inbox_url):
    promoter = make.rating(merchant, 10, "¡Excelente!")
    passive = make.rating(merchant, 7)
    detractor = make.rating(merchant, 2, "Malo")
    html = admin_client.get(inbox_url).content.decode()
    for rating, band in [(promoter, "promoter"), (passive, "passive"), (detractor, "detractor")]:
        row = re.search(rf'<li id="row-{rating.pk}".*?</li>', html, re.S).group(0)
        assert f"score-{band}" in row
        assert "is-unread" in row
        assert ("envelope" in row) == (rating.comment is not None)
    assert row_ids(html) == [promoter.pk, passive.pk, detractor.pk]  # newest first


def test_dates_in_merchant_time_zone_INB_2(make, merchant, admin_client, inbox_url):
    created = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)  # 21:30 the day before in Bogotá
    make.rating(merchant, 9, created_at=created)
    html = admin_client.get(inbox_url).content.decode()
    assert "21:30" in html


@pytest.mark.parametrize(
    "column, first, second",
    [("score", "-score", "score"), ("customer", "customer", "-customer"),
     ("date", "created_at", "-created_at"), ("inbox", "is_read", "-is_read")],
)
def test_each_header_toggles_twice_INB_3(make, merchant, admin_client, inbox_url, column, first, second):
    names = ["Carla", "álvaro", "Bruno"]
    ratings = [make.rating(merchant, score, customer=make.customer(merchant, name))
               for score, name in zip([5, 9, 7], names, strict=True)]
    from ratings.services import rating_mark_read
    rating_mark_read(merchant=merchant, rating=ratings[1])

    def header_url(html):
        return re.search(rf'class="sort sort-{column}[^"]*" href="([^"]+)"', html).group(1).replace("&amp;", "&")

    html = admin_client.get(inbox_url).content.decode()
    url = header_url(html)
    assert f"sort={first}" in url
    html = admin_client.get(url).content.decode()
    expected_first = {
        "-score": [ratings[1], ratings[2], ratings[0]],
        "customer": [ratings[1], ratings[2], ratings[0]],
        "created_at": [ratings[2], ratings[1], ratings[0]],
        "is_read": [ratings[0], ratings[2], ratings[1]],
    }[first]
    assert row_ids(html) == [r.pk for r in expected_first]
    url = header_url(html)
    assert f"sort={second}" in url or (second == "-created_at" and "sort=" not in url)
    html = admin_client.get(url).content.decode()
    assert row_ids(html) == [r.pk for r in {
        "score": [ratings[0], ratings[2], ratings[1]],
        "-customer": [ratings[0], ratings[2], ratings[1]],
        "-created_at": [ratings[0], ratings[1], ratings[2]],
        "-is_read": [ratings[1], ratings[0], ratings[2]],
    }[second]]


def test_filters_branch_dates_and_name_INB_4(make, merchant, admin_client, inbox_url):
    norte = make.branch(merchant, "Norte")
    now = timezone.now()
    jose = make.rating(merchant, 9, customer=make.customer(merchant, "José Pérez"),
                       created_at=now - dt.timedelta(days=3))
    pedro = make.rating(merchant, 8, customer=make.customer(merchant, "Pedro Perea"), branch=norte)
    make.rating(merchant, 3, customer=make.customer(merchant, "Lucía Gómez"))
    assert row_ids(admin_client.get(inbox_url + "?q=jose").content.decode()) == [jose.pk]
    assert set(row_ids(admin_client.get(inbox_url + "?q=per").content.decode())) == {jose.pk, pedro.pk}
    assert row_ids(admin_client.get(inbox_url + f"?branch={norte.id}").content.decode()) == [pedro.pk]
    day = timezone.localtime(jose.created_at, timezone.get_fixed_timezone(-300)).date()
    html = admin_client.get(inbox_url + f"?date_from={day}&date_to={day}").content.decode()
    assert row_ids(html) == [jose.pk]


def test_reset_keeps_sort_and_branch_INB_5(make, merchant, admin_client, inbox_url):
    norte = make.branch(merchant, "Norte")
    html = admin_client.get(
        inbox_url + f"?sort=score&branch={norte.id}&q=ana&date_from=2026-01-01&date_to=2026-02-01"
    ).content.decode()
    reset = re.search(r'id="reset"', html) and re.search(r'href="([^"]+)"[^>]*id="reset"', html).group(1)
    reset = reset.replace("&amp;", "&")
    assert "sort=score" in reset and f"branch={norte.id}" in reset
    assert "q=" not in reset and "date_from" not in reset and "date_to" not in reset


def test_load_more_pages_with_keyset_INB_2(make, merchant, admin_client, inbox_url, monkeypatch):
    monkeypatch.setattr("inbox.views.PAGE_SIZE", 2)
    ratings = [make.rating(merchant, 8) for _ in range(5)]
    html = admin_client.get(inbox_url).content.decode()
    assert row_ids(html) == [ratings[0].pk, ratings[1].pk]
    seen = row_ids(html)
    while 'id="load-more"' in html:
        url = re.search(r'hx-get="([^"]+cursor=[^"]+)"', html).group(1).replace("&amp;", "&")
        html = admin_client.get(url, HTTP_HX_TARGET="load-more", **HX).content.decode()
        seen += row_ids(html)
    assert seen == [r.pk for r in ratings]


def test_list_fragment_for_htmx_has_counters_out_of_band(make, merchant, admin_client, inbox_url):
    make.rating(merchant, 9)
    response = admin_client.get(inbox_url + "?sort=score", HTTP_HX_TARGET="list-pane", **HX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="counters" class="counters" hx-swap-oob="true"' in html
    assert response["HX-Push-Url"].endswith("/inbox/?sort=score")


def test_inbox_query_count_is_fixed_whatever_the_page_size(make, merchant, admin_client, inbox_url,
                                                           django_assert_max_num_queries):
    for _ in range(3):
        make.rating(merchant, 6, "hola")
    with django_assert_max_num_queries(14) as small:
        admin_client.get(inbox_url)
    for _ in range(12):
        make.rating(merchant, 9, "otra")
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(inbox_url)


def test_other_merchants_inbox_is_404_TEN_3(make, merchant, other_merchant, client):
    client.force_login(make.admin(other_merchant))
    assert client.get(f"/m/{merchant.slug}/inbox/").status_code == 404


def test_language_switch_and_html_lang(make, merchant, client, inbox_url):
    user = make.admin(merchant)
    client.force_login(user)
    html = client.get(inbox_url).content.decode()
    assert '<html lang="es">' in html
    assert 'action="/language/"' in html
    client.post("/language/", {"language": "en", "next": inbox_url})
    assert '<html lang="en">' in client.get(inbox_url).content.decode()


def test_bad_query_values_are_ignored_not_errors(make, merchant, admin_client, inbox_url):
    rating = make.rating(merchant, 9)
    response = admin_client.get(inbox_url + "?sort=bogus&branch=999999&date_from=nope&cursor=zzz&q=")
    assert response.status_code == 200
    assert row_ids(response.content.decode()) == [rating.pk]


def test_home_lists_the_users_merchants_and_the_switcher_shows_them_TEN_2(make, merchant, other_merchant, client):
    from merchants.services import member_add

    user = make.admin(merchant)
    with tenancy.tenant(other_merchant.pk):
        member_add(merchant=other_merchant, email=user.email, password=None, role="staff")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert f'href="/m/{merchant.slug}/inbox/"' in html and f'href="/m/{other_merchant.slug}/inbox/"' in html
    html = client.get(f"/m/{merchant.slug}/inbox/").content.decode()
    switcher = re.search(r'<details class="switcher">.*?</details>', html, re.S).group(0)
    assert other_merchant.name in switcher and merchant.name in switcher
