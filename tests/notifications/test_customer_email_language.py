"""Every e-mail to a customer is in the merchant's language, whatever the language of the staff
member, the API caller or the task that causes it, with a text and an HTML part (AR-5, THR-2, GFT-2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from autoreply.services import autoreply_send_due, autoreply_settings_update
from gifts.services import gift_create
from notifications.models import OutgoingEmail
from tests.conftest import base

pytestmark = pytest.mark.django_db


def _member(make, merchant, role, language):
    user = make.admin(merchant) if role == "admin" else make.member(merchant, role)
    user.language = language
    user.save(update_fields=["language"])
    return user


def _rating(make, merchant, score=4):
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    return make.rating(merchant, score, "Frío", customer=customer)


def test_english_ui_staff_reply_for_spanish_merchant_is_emailed_in_spanish_thr2(make, client, acting_for):
    merchant = make.merchant(name="La Arepa", language="es")
    acting_for(merchant)
    rating = _rating(make, merchant)
    client.force_login(_member(make, merchant, "staff", "en"))
    response = client.post(f"/m/{merchant.slug}/inbox/{rating.pk}/reply/", {"body": "Lo sentimos mucho."})
    assert response.status_code in (200, 302)
    assert response["Content-Language"] == "en"
    email = OutgoingEmail.objects.get(rating=rating, kind="staff_reply")
    assert email.subject == "La Arepa respondió a tu calificación"
    assert "Lee y responde la conversación: http" in email.body_text
    assert "No recibir más correos de La Arepa: http" in email.body_text
    assert "Read and answer" not in email.body_text and "Stop e-mails" not in email.body_text
    assert email.body_text.startswith("Lo sentimos mucho.\n\n— La Arepa\n\n")
    assert '<html lang="es">' in email.body_html and "Responder en la conversación" in email.body_html
    assert "/c/" in email.body_html and "/u/" in email.body_html


def test_spanish_ui_api_reply_for_english_merchant_is_emailed_in_english_thr2(make, acting_for):
    merchant = make.merchant(name="Diner", language="en")
    acting_for(merchant)
    rating = _rating(make, merchant)
    api = APIClient()
    api.force_authenticate(_member(make, merchant, "staff", "es"))
    response = api.post(base(merchant) + f"ratings/{rating.id}/messages/", {"body": "So sorry."}, format="json",
                        HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 201, response.content
    assert response["Content-Language"] == "es"
    email = OutgoingEmail.objects.get(rating=rating, kind="staff_reply")
    assert email.subject == "Diner answered your rating"
    assert "Read and answer the conversation: http" in email.body_text
    assert "Stop e-mails from Diner: http" in email.body_text
    assert "respondió" not in email.subject and "Lee y responde" not in email.body_text
    assert '<html lang="en">' in email.body_html and "Answer in the conversation" in email.body_html


@pytest.mark.parametrize("merchant_language, ui_language, expected", [
    ("es", "en", ("La Arepa te envió un regalo", "Hola, Ana Ruiz:", "15% de descuento", "Tu código: ")),
    ("en", "es", ("La Arepa sent you a gift", "Hello Ana Ruiz,", "15% off", "Your code: ")),
])
def test_gift_email_is_in_the_merchants_language_whatever_the_ui_gft2(make, client, merchant_language,
                                                                      ui_language, expected, acting_for):
    merchant = make.merchant(name="La Arepa", language=merchant_language)
    acting_for(merchant)
    rating = _rating(make, merchant)
    agent = _member(make, merchant, "agent", ui_language)
    gift = gift_create(merchant=merchant, actor=agent, name="Postre", kind="discount", discount_percent=15,
                       validity_days=30)
    client.force_login(agent)
    response = client.post(f"/m/{merchant.slug}/gifts/attach/{rating.pk}/", {"source": "catalogue", "gift": gift.pk},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["Content-Language"] == ui_language
    email = OutgoingEmail.objects.get(rating=rating, kind="gift")
    subject, greeting, value, code = expected
    assert email.subject == subject
    assert email.body_text.startswith(greeting)
    assert value in email.body_text and code in email.body_text and code.strip() in email.body_html
    assert f'<html lang="{merchant_language}">' in email.body_html


@pytest.mark.parametrize("merchant_language, active, link_line", [
    ("es", "en", "Lee y responde la conversación: "), ("en", "es", "Read and answer the conversation: "),
])
def test_autoreply_email_is_in_the_merchants_language_whatever_the_worker_speaks_ar5(
        make, merchant_language, active, link_line, acting_for):
    merchant = make.merchant(language=merchant_language)
    acting_for(merchant)
    autoreply_settings_update(merchant=merchant, enabled=True, delay_minutes=0)
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    rating = make.rating(merchant, 2, customer=customer, created_at=timezone.now() - dt.timedelta(minutes=1))
    with translation.override(active):
        assert autoreply_send_due(merchant=merchant, rating_id=rating.pk) == "sent"
    email = OutgoingEmail.objects.get(rating=rating, kind="auto_reply")
    assert link_line in email.body_text and f'<html lang="{merchant_language}">' in email.body_html
