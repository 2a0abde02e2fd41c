"""System entries of a thread are stored as what happened and worded in the reader's language (THR-1):
the staff page in the member's language, the API in the request's, the customer's page in the
merchant's; entries written before events are converted where their text is recognisable."""

from __future__ import annotations

import re
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from gifts.services import gift_create, gift_grant, grant_redeem
from ratings.models import Message
from ratings.services import system_message_add
from tests.conftest import base

pytestmark = pytest.mark.django_db

SPANISH = ("Regalo enviado: Postre — 15% de descuento. Código {code}, válido hasta el ",
           "Regalo redimido: Postre (código {code}).")
ENGLISH = ("Gift sent: Postre — 15% off. Code {code}, valid until ",
           "Gift redeemed: Postre (code {code}).")


@pytest.fixture
def granted(make, acting_for):
    """A Spanish merchant's rating with a gift sent and redeemed from its thread."""
    merchant = make.merchant(name="La Arepa", language="es")
    acting_for(merchant)
    rating = make.rating(merchant, 4, "Frío", customer=make.customer(merchant, "Ana Ruiz", email="ana@example.com"))
    admin = make.admin(merchant)
    gift = gift_create(merchant=merchant, actor=admin, name="Postre", kind="discount", discount_percent=15,
                       validity_days=30)
    grant = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=gift)
    grant_redeem(merchant=merchant, actor=admin, code=grant.code)
    return merchant, rating, admin, grant


def _bodies(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", b).strip() for b in re.findall(r'class="(?:pub-)?msg-body">(.*?)</div>', html, re.S)]


def _expect(texts, grant) -> tuple[str, str]:
    return texts[0].format(code=grant.code), texts[1].format(code=grant.code)


def test_stored_as_events_with_the_merchants_words_as_fallback_thr1(granted):
    _merchant, rating, _admin, grant = granted
    sent, redeemed = Message.objects.filter(rating=rating, author_kind="system").order_by("id")
    assert (sent.event, redeemed.event) == ("gift_sent", "gift_redeemed")
    assert sent.event_params["code"] == grant.code and sent.event_params["value"]["discount_percent"] == 15
    assert sent.body.startswith(_expect(SPANISH, grant)[0]) and redeemed.body == _expect(SPANISH, grant)[1]


@pytest.mark.parametrize("language, texts", [("en", ENGLISH), ("es", SPANISH)])
def test_staff_page_words_system_entries_in_the_members_language_thr1(granted, client, language, texts):
    merchant, rating, admin, grant = granted
    admin.language = language
    admin.save(update_fields=["language"])
    client.force_login(admin)
    html = client.get(f"/m/{merchant.slug}/inbox/{rating.pk}/").content.decode()
    customer, sent, redeemed = _bodies(html)
    expected_sent, expected_redeemed = _expect(texts, grant)
    assert customer == "Frío" and sent.startswith(expected_sent) and redeemed == expected_redeemed


@pytest.mark.parametrize("language, texts", [("en", ENGLISH), ("es", SPANISH)])
def test_api_words_system_entries_in_the_requests_language_thr1(granted, language, texts):
    merchant, rating, admin, grant = granted
    api = APIClient()
    api.force_authenticate(admin)
    thread = api.get(base(merchant) + f"ratings/{rating.id}/messages/", HTTP_ACCEPT_LANGUAGE=language).json()
    detail = api.get(base(merchant) + f"ratings/{rating.id}/", HTTP_ACCEPT_LANGUAGE=language).json()
    assert detail["messages"] == thread
    assert [(m["author_kind"], m["event"]) for m in thread] == [
        ("customer", None), ("system", "gift_sent"), ("system", "gift_redeemed")]
    expected_sent, expected_redeemed = _expect(texts, grant)
    assert thread[1]["body"].startswith(expected_sent) and thread[1]["gift_grant"] == grant.pk
    assert thread[2]["body"] == expected_redeemed


@pytest.mark.parametrize("merchant_language", ["es", "en"])
def test_customer_page_shows_each_gift_once_not_as_system_entries_thr1_cus2(make, client, merchant_language,
                                                                           acting_for):
    """Issue 17: the customer's page showed a gift twice, in its gifts and as a "Note" line of the thread.
    The gifts section says it all (code, status, expiry) in the page's language; staff keep the lines."""
    from customers.links import conversation_url

    merchant = make.merchant(language=merchant_language)
    acting_for(merchant)
    rating = make.rating(merchant, 4, "Frío")
    admin = make.admin(merchant)
    gift = gift_create(merchant=merchant, actor=admin, name="Postre", kind="discount", discount_percent=15,
                       validity_days=30)
    grant = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=gift)
    grant_redeem(merchant=merchant, actor=admin, code=grant.code)
    browser = "en" if merchant_language == "es" else "es"
    response = client.get(urlsplit(conversation_url(rating)).path, HTTP_ACCEPT_LANGUAGE=browser)
    assert response["Content-Language"] == browser  # the page itself follows the browser (CUS-4)
    html = response.content.decode()
    assert _bodies(html) == ["Frío"]  # the customer's comment only: no system entry
    assert html.count(grant.code) == 1 and ("Redeemed" if browser == "en" else "Redimido") in html


def test_a_system_entry_without_event_shows_its_text_thr1(make, client, acting_for):
    merchant = make.merchant(language="es")
    acting_for(merchant)
    rating = make.rating(merchant, 4)
    system_message_add(merchant=merchant, rating=rating, body="Nota del sistema")
    admin = make.admin(merchant)
    admin.language = "en"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    assert _bodies(client.get(f"/m/{merchant.slug}/inbox/{rating.pk}/").content.decode()) == ["Nota del sistema"]


def test_only_system_entries_carry_a_known_event_thr1(make, acting_for):
    merchant = make.merchant()
    acting_for(merchant)
    rating = make.rating(merchant, 4)
    for fields in ({"author_kind": "customer", "event": "gift_sent", "event_params": {}},
                   {"author_kind": "system", "event": "made_up", "event_params": {}},
                   {"author_kind": "system", "event": "gift_sent", "event_params": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Message.objects.create(merchant=merchant, rating=rating, body="x", **fields)


def test_migration_turns_recognisable_old_texts_into_events_thr1(granted):
    _merchant, rating, _admin, grant = granted
    sent, redeemed = Message.objects.filter(rating=rating, author_kind="system").order_by("id")
    expected = {sent.pk: (sent.event, sent.event_params), redeemed.pk: (redeemed.event, redeemed.event_params)}
    english = Message.objects.create(merchant_id=rating.merchant_id, rating=rating, author_kind="system",
                                     gift_grant=grant, body=_expect(ENGLISH, grant)[1])
    other = Message.objects.create(merchant_id=rating.merchant_id, rating=rating, author_kind="system",
                                   gift_grant=grant, body="Se ofreció un regalo.")
    wrong_code = Message.objects.create(merchant_id=rating.merchant_id, rating=rating, author_kind="system",
                                        gift_grant=grant, body="Regalo redimido: Postre (código ZZZZZZZZZZ).")
    Message.objects.filter(rating=rating).update(event=None, event_params=None)  # as before events

    migration = import_module("ratings.migrations.0008_message_event_from_text")
    with connection.schema_editor(atomic=False) as editor:
        migration.forwards(apps, editor)

    rows = {m.pk: m for m in Message.objects.filter(rating=rating)}
    for pk, (event, params) in expected.items():
        assert (rows[pk].event, rows[pk].event_params) == (event, params)
    assert (rows[english.pk].event, rows[english.pk].event_params) == (
        "gift_redeemed", {"gift": "Postre", "code": grant.code})
    assert rows[other.pk].event is None and rows[wrong_code.pk].event is None
    assert rows[sent.pk].body.startswith("Regalo enviado")  # the text is kept
