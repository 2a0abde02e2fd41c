"""The inbox page's reply undo (THR-2, issue 17): the toast's Undo, and the text back in the composer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications import tasks
from ratings.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(tasks, "enqueue_email_send", lambda *args, **kwargs: None)


@pytest.fixture
def detractor(make, merchant):
    customer = make.customer(merchant, "José Pérez", email="jose@example.com")
    return make.rating(merchant, 3, "La comida llegó fría.", customer=customer)


def test_the_page_offers_the_undo_and_puts_the_text_back(merchant, detractor, admin_client):
    url = reverse("ratings:reply", args=[merchant.slug, detractor.pk])
    htmx = {"HX-Request": "true", "HX-Target": "conversation"}
    answer = admin_client.post(url, {"body": "Lo sentimos, José."}, headers=htmx)
    assert answer.status_code == 200
    html = answer.content.decode()
    undo_url = reverse("ratings:reply-undo", args=[merchant.slug, detractor.pk])
    assert f'hx-post="{undo_url}"' in html and 'data-undo-seconds="10"' in html
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]

    # A token for another rating, or forged, is refused with the toast's reason.
    assert admin_client.post(undo_url, {"token": token + "x"}, headers={"HX-Request": "true"}).status_code == 400
    undone = admin_client.post(undo_url, {"token": token}, headers={"HX-Request": "true"})
    assert undone.status_code == 200
    html = undone.content.decode()
    assert 'id="conversation" class="conversation" hx-swap-oob="true"' in html
    assert ">Lo sentimos, José.</textarea>" in html  # back in the composer, to be corrected
    assert not Message.objects.filter(rating=detractor, author_kind="staff").exists()
    # Twice is too late.
    assert admin_client.post(undo_url, {"token": token}, headers={"HX-Request": "true"}).status_code == 400
