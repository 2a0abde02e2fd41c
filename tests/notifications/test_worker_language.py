"""THR-2, GFT-2, AR-5 end to end: what English-speaking staff cause for a Spanish merchant is
recorded in the request's transaction, sent by a real Celery worker after commit and received
over SMTP in Spanish, as a text and an HTML part."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from gifts.services import gift_create
from notifications.models import OutgoingEmail
from tests.notifications.harness import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _parts(message) -> dict[str, str]:
    return {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}


def test_english_staff_reply_and_gift_reach_the_customer_in_spanish_thr2_gft2(make, client, delivery, acting_for):
    merchant = make.merchant(name="La Arepa", language="es")
    acting_for(merchant)
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    rating = make.rating(merchant, 4, "Frío", customer=customer)
    agent = make.member(merchant, "agent")
    agent.language = "en"
    agent.save(update_fields=["language"])
    gift = gift_create(merchant=merchant, actor=agent, name="Postre", kind="points", points=1500, validity_days=30)
    delivery.worker()
    client.force_login(agent)

    reply = client.post(f"/m/{merchant.slug}/inbox/{rating.pk}/reply/", {"body": "Lo sentimos."})
    attach = client.post(f"/m/{merchant.slug}/gifts/attach/{rating.pk}/", {"source": "catalogue", "gift": gift.pk},
                         HTTP_HX_REQUEST="true")
    assert reply.status_code in (200, 302) and attach.status_code == 200 and attach["Content-Language"] == "en"

    wait_for(lambda: OutgoingEmail.objects.filter(rating=rating, status="sent").count() == 2, 60, 0.3,
             "the reply and the gift e-mails sent")
    received = {str(make_header(decode_header(m["Subject"]))): m for m in delivery.smtp.handler.messages}
    assert set(received) == {"La Arepa respondió a tu calificación", "La Arepa te envió un regalo"}
    reply_parts = _parts(received["La Arepa respondió a tu calificación"])
    assert reply_parts["text/plain"].startswith("Lo sentimos.")
    assert "Lee y responde la conversación" in reply_parts["text/plain"]
    assert "Responder en la conversación" in reply_parts["text/html"]
    gift_parts = _parts(received["La Arepa te envió un regalo"])
    assert "Hola, Ana Ruiz:" in gift_parts["text/plain"] and "1.500 puntos" in gift_parts["text/plain"]
    assert "Tu código:" in gift_parts["text/html"] and '<html lang="es">' in gift_parts["text/html"]
    assert not any(word in part for word in ("Read and answer", "points", "Your code")
                   for parts in (reply_parts, gift_parts) for part in parts.values())
