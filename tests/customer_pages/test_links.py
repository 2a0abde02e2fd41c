"""SEC-6: customer links expire (rate and conversation; unsubscribe never) and their forms are throttled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing
from django.utils import timezone

from customers.links import SALTS, conversation_url, rating_url, unsubscribe_url
from customers.models import Customer
from ratings.models import Message, Rating

pytestmark = pytest.mark.django_db


def _path(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


class Clock:
    """timezone.now, moved by the test: links are signed and read on it, and the throttle counts on it.
    It starts on a whole second, as a link's signing time is kept."""

    def __init__(self, monkeypatch):
        self.now = timezone.now().replace(microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def move(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def visit(make, merchant):
    return make.visit(merchant, customer=make.customer(merchant, "Ana Ruiz", email="ana@example.com"),
                      visited_at=timezone.now() - dt.timedelta(days=1))


def test_rate_and_conversation_links_expire_after_the_configured_days_sec6(client, make, merchant, visit,
                                                                           clock, settings):
    settings.CUSTOMER_LINK_MAX_AGE_DAYS = 180
    rating = make.rating(merchant, score=4, customer=visit.customer)
    rate, conversation = _path(rating_url(make.visit(merchant, customer=visit.customer))), _path(
        conversation_url(rating))
    clock.move(days=180)
    assert client.get(rate).status_code == 200 and client.get(conversation).status_code == 200
    clock.move(seconds=1)
    for path in (rate, conversation):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        html = response.content.decode()
        assert response.status_code == 410, path
        assert "This link has expired" in html and "180 days" in html and merchant.name in html
        assert response["Cache-Control"] == "private, no-store"
    spanish = client.get(conversation, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Este enlace ha caducado" in spanish and "180 días" in spanish
    assert client.post(conversation, {"body": "¿Siguen ahí?"}).status_code == 410
    assert client.post(rate, {"score": "9"}).status_code == 410
    assert not Message.objects.filter(author_kind="customer").exists() and Rating.objects.count() == 1


def test_link_age_is_configurable_sec6(client, visit, clock, settings):
    settings.CUSTOMER_LINK_MAX_AGE_DAYS = 2
    path = _path(rating_url(visit))
    clock.move(days=2, seconds=1)
    assert client.get(path).status_code == 410


def test_links_signed_before_expiry_existed_expire_too_sec6(client, visit, clock):
    """Links already in customers' mailboxes were made by signing.dumps: they carry their time."""
    old = signing.dumps([visit.merchant_id, visit.pk], salt=SALTS["rate"], compress=False)
    assert client.get(f"/r/{old}/").status_code == 200
    clock.move(days=181)
    assert client.get(f"/r/{old}/").status_code == 410


def test_five_year_old_unsubscribe_link_still_works_sec6(client, visit, clock):
    path = _path(unsubscribe_url(visit.customer))
    clock.move(days=5 * 365)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert Customer.objects.get(pk=visit.customer_id).email_opt_out


def test_forged_token_is_still_404_not_410_sec6(client, visit, clock):
    forged = signing.dumps([visit.merchant_id, visit.pk], salt="another-salt")
    clock.move(days=400)
    assert client.get(f"/r/{forged}/").status_code == 404


def test_form_posts_are_throttled_per_link_then_allowed_after_the_window_sec6(client, make, merchant, visit,
                                                                              clock, settings):
    settings.CUSTOMER_FORM_POSTS_PER_WINDOW, settings.CUSTOMER_FORM_WINDOW_SECONDS = 10, 600
    clock.now = clock.now.replace(minute=0, second=0, microsecond=0)  # the start of a 10-minute window
    rating = make.rating(merchant, score=4, customer=visit.customer)
    url = _path(conversation_url(rating))
    other = _path(conversation_url(make.rating(merchant, score=9, customer=visit.customer)))
    for n in range(10):
        assert client.post(url, {"body": f"Mensaje {n}"}).status_code == 302
    clock.move(minutes=3)
    response = client.post(url, {"body": "Uno más"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == str(7 * 60)
    assert "Too many attempts" in html and "wait 7 minutes" in html and merchant.name in html
    spanish = client.post(url, {"body": "Uno más"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Demasiados intentos" in spanish and "Espera 7 minutos" in spanish
    assert client.get(url).status_code == 200  # reading is not throttled
    assert client.post(other, {"body": "Otro enlace"}).status_code == 302  # another link has its own count
    # A fresh token for the same conversation (each page signs one) shares the count.
    assert client.post(_path(conversation_url(rating)), {"body": "Nuevo enlace"}).status_code == 429
    assert Message.objects.filter(rating=rating, author_kind="customer").count() == 10
    clock.move(minutes=7)
    assert client.post(url, {"body": "Ya pasó el tiempo"}).status_code == 302
    assert Message.objects.filter(rating=rating, author_kind="customer").count() == 11


def test_rate_and_unsubscribe_forms_are_throttled_too_sec6(client, visit, clock, settings):
    settings.CUSTOMER_FORM_POSTS_PER_WINDOW = 2
    rate, unsubscribe = _path(rating_url(visit)), _path(unsubscribe_url(visit.customer))
    assert [client.post(rate, {"score": "x"}).status_code for _ in range(3)] == [400, 400, 429]
    assert [client.post(unsubscribe).status_code for _ in range(3)] == [200, 200, 429]
