"""ANA-4: the follow-up page `/f/<token>/` a customer reaches from the follow-up e-mail — one question,
the first answer counts (and counts in the funnel, ANA-3), a later one changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.links import followup_url, make_token
from customers.models import Customer
from merchants.access import Access
from ratings import cases
from ratings.counters import COLUMNS, counters_rebuild
from ratings.followup import followup_request
from ratings.models import Message, Rating, RatingBranchCounter, RatingDayCounter

pytestmark = pytest.mark.django_db


def _path(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def asked(make, merchant, score=3, **rating):
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    rating = make.rating(merchant, score, "La sopa llegó fría", customer=customer, **rating)
    cases.case_update(access=Access.system(merchant), rating=rating, actor=None, status="resolved")
    rating = Rating.objects.get(pk=rating.pk)
    rating.customer = customer
    followup_request(access=Access.system(merchant), rating=rating, actor=None)
    return Rating.objects.get(pk=rating.pk)


def funnel(merchant) -> tuple[int, int]:
    row = RatingBranchCounter.objects.get(merchant=merchant)
    return row.rerated, row.recovered


def kept(merchant):
    return sorted(RatingDayCounter.objects.filter(merchant=merchant).values_list("branch_id", "day", *COLUMNS))


def test_the_page_asks_one_question_and_a_number_from_the_email_is_only_chosen_ANA_4(client, make, merchant):
    rating = asked(make, merchant)
    response = client.get(_path(followup_url(rating, score=8)), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response.status_code == 200 and "¿Lo solucionamos?" in html and "Nos diste un 3" in html
    assert html.count('name="score"') == 10 and 'name="comment"' in html and "csrfmiddlewaretoken" in html
    assert 'value="8" required checked' in html
    assert response["Referrer-Policy"] == "same-origin" and response["Cache-Control"] == "private, no-store"
    assert Rating.objects.get(pk=rating.pk).followup_score is None  # a GET (a link scanner) records nothing


def test_the_first_answer_counts_in_the_funnel_and_a_later_one_changes_nothing_ANA_4(client, make, merchant):
    rating = asked(make, merchant)
    assert funnel(merchant) == (0, 0)
    url = _path(followup_url(rating))
    response = client.post(url, {"score": "8", "comment": ""}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    rating.refresh_from_db()
    assert rating.followup_score == 8 and rating.followup_at is not None and rating.score == 3
    assert funnel(merchant) == (1, 0)  # re-rated, not recovered (8 < 9)
    html = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Gracias por responder" in html and "Antes 3" in html and "Ahora 8" in html and 'name="score"' not in html

    at = rating.followup_at
    again = client.post(url, {"score": "10", "comment": "Ahora sí, todo perfecto"}, HTTP_ACCEPT_LANGUAGE="es")
    assert again.status_code == 200
    assert "esta no cambió nada" in again.content.decode()
    rating.refresh_from_db()
    assert (rating.followup_score, rating.followup_at) == (8, at) and funnel(merchant) == (1, 0)
    assert list(Message.objects.filter(rating=rating, author_kind="customer").values_list("body", flat=True)) == [
        "La sopa llegó fría"]


def test_a_nine_recovers_and_the_comment_joins_the_conversation_ANA_4(client, make, merchant):
    rating = asked(make, merchant, 2)
    response = client.post(_path(followup_url(rating)), {"score": "9", "comment": "  Volví y todo estuvo bien.  "})
    assert response.status_code == 302
    assert funnel(merchant) == (1, 1)
    assert list(Message.objects.filter(rating=rating, author_kind="customer").order_by("id")
                .values_list("body", flat=True)) == ["La sopa llegó fría", "Volví y todo estuvo bien."]
    assert not Rating.objects.get(pk=rating.pk).is_read


def test_a_later_rating_already_counted_is_not_counted_twice_ANA_3_ANA_4(client, make, merchant):
    rating = asked(make, merchant, 4, created_at=timezone.now() - dt.timedelta(days=3))
    make.rating(merchant, 10, customer=rating.customer)  # came back and rated 10: re-rated and recovered
    assert funnel(merchant) == (1, 1)
    client.post(_path(followup_url(rating)), {"score": "9"})
    assert Rating.objects.get(pk=rating.pk).followup_score == 9 and funnel(merchant) == (1, 1)
    before = kept(merchant)
    counters_rebuild(merchant.pk)
    assert kept(merchant) == before


@pytest.mark.parametrize("score", ["0", "11", "", "ocho"])
def test_a_bad_score_is_refused_and_nothing_is_recorded_ANA_4(client, make, merchant, score):
    rating = asked(make, merchant)
    response = client.post(_path(followup_url(rating)), {"score": score}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400 and "Elige una calificación de 1 a 10." in response.content.decode()
    assert Rating.objects.get(pk=rating.pk).followup_score is None and funnel(merchant) == (0, 0)


def test_an_expired_link_is_gone_and_a_mangled_one_is_our_404_ANA_4_SEC_6(client, make, merchant, settings):
    rating = asked(make, merchant)
    with time_machine.travel(timezone.now() - dt.timedelta(days=settings.CUSTOMER_LINK_MAX_AGE_DAYS + 1)):
        old = _path(followup_url(rating))
    response = client.post(old, {"score": "9"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 410 and "Este enlace ha caducado" in response.content.decode()
    assert Rating.objects.get(pk=rating.pk).followup_score is None
    mangled = client.get(_path(followup_url(rating))[:-8] + "/", HTTP_ACCEPT_LANGUAGE="es")
    assert mangled.status_code == 404 and "pub-missing" in mangled.content.decode()
    # Another link's token (the conversation's) names the same rating, but not for this page.
    other = make_token("conversation", merchant_id=merchant.pk, object_id=rating.pk)
    assert client.get(f"/f/{other}/").status_code == 404


def test_a_rating_nobody_asked_about_and_an_erased_customer_are_404_ANA_4(client, make, merchant):
    never = make.rating(merchant, 3)
    assert client.get(_path(followup_url(never))).status_code == 404
    rating = asked(make, merchant)
    Customer.objects.filter(pk=rating.customer_id).update(erased_at=timezone.now(), email=None, email_opt_out=True)
    assert client.post(_path(followup_url(rating)), {"score": "9"}).status_code == 404
    assert Rating.objects.get(pk=rating.pk).followup_score is None


def test_posts_are_throttled_per_link_like_the_other_customer_forms_ANA_4_SEC_6(client, make, merchant, settings):
    settings.CUSTOMER_FORM_POSTS_PER_WINDOW = 2
    rating = asked(make, merchant)
    url = _path(followup_url(rating))
    assert [client.post(url, {"score": ""}).status_code for _ in range(2)] == [400, 400]
    refused = client.post(url, {"score": "9"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Rating.objects.get(pk=rating.pk).followup_score is None


def test_the_form_needs_its_csrf_token_ANA_4(make, merchant):
    from django.test import Client

    rating = asked(make, merchant)
    response = Client(enforce_csrf_checks=True).post(_path(followup_url(rating)), {"score": "9"})
    assert response.status_code == 403 and Rating.objects.get(pk=rating.pk).followup_score is None


@pytest.mark.parametrize("others", [0, 5])
def test_the_page_reads_a_fixed_number_of_statements_ANA_4(client, make, merchant, others):
    rating = asked(make, merchant)
    for _ in range(others):
        asked(make, merchant)
    url = _path(followup_url(rating))
    with CaptureQueriesContext(connection) as get:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as post:
        assert client.post(url, {"score": "7"}).status_code == 302
    with CaptureQueriesContext(connection) as answered:
        assert client.get(url).status_code == 200
    # GET: the request's savepoint pair, the tenant set and restored, the rating with its merchant, branch
    # and customer (one join). POST: the same, and the answer's savepoint pair, the row locked, the score,
    # the customer's rollup created and locked in one upsert, one statement for every funnel counter.
    assert (len(get.captured_queries), len(post.captured_queries), len(answered.captured_queries)) == (5, 11, 5)
