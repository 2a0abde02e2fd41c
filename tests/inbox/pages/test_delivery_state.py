"""The delivery state of each e-mailed message in the opened rating's thread (THR-2, AR-5): read from
the outbox in one statement however long the thread, and the poll redraws the thread when it changes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import OutgoingEmail
from ratings.services import rating_reply

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _statements(client, url, **extra) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return len(queries.captured_queries), response


def test_the_thread_reads_every_delivery_in_one_statement_THR_2(make, merchant, admin_client):
    admin = make.admin(merchant)
    rating = make.rating(merchant, 3, "Frío", customer=make.customer(merchant, "Ana Ruiz", email="ana@example.com"))
    rating_reply(merchant=merchant, rating=rating, author=admin, body="Uno")
    url = f"/m/{merchant.slug}/inbox/{rating.pk}/"
    one, _ = _statements(admin_client, url)
    for n in range(4):
        rating_reply(merchant=merchant, rating=rating, author=admin, body=f"Otro {n}")
    five, response = _statements(admin_client, url)
    assert five == one
    assert response.content.decode().count("E-mail queued: being sent") == 5


def test_the_poll_redraws_the_thread_when_a_delivery_changes_THR_2(make, merchant, admin_client):
    admin = make.admin(merchant)
    rating = make.rating(merchant, 3, "Frío", customer=make.customer(merchant, "Ana Ruiz", email="ana@example.com"))
    message = rating_reply(merchant=merchant, rating=rating, author=admin, body="Lo sentimos")
    page = admin_client.get(f"/m/{merchant.slug}/inbox/{rating.pk}/").content.decode()
    signature = re.search(r'hx-vals=\'\{"sig": "(\w+)"\}\'', page).group(1)
    poll = f"/m/{merchant.slug}/inbox/poll/"
    assert admin_client.get(poll, {"open": rating.pk, "sig": signature}, HTTP_HX_TARGET="poller", **HX).status_code == 204
    OutgoingEmail.objects.filter(message=message).update(status="queued", attempts=1,
                                                         last_error="SMTPDataError: (451, b'Try again later')")
    response = admin_client.get(poll, {"open": rating.pk, "sig": signature}, HTTP_HX_TARGET="poller", **HX)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="thread" class="thread" hx-swap-oob="true"' in html
    assert "E-mail failed once; retrying at" in html and "Try again later" in html
