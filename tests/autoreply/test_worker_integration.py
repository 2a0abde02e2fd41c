"""AR-2..5 end to end: ratings saved here, a real Celery worker decides at due time
and sends through SMTP. The whole AR-3 matrix, on arrival and at due time, in one run."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from autoreply.services import autoreply_set_enabled, autoreply_settings_update
from customers.models import Customer
from customers.services import customer_opt_out
from merchants.access import Access
from notifications.models import OutgoingEmail
from ratings.models import Message, Rating
from ratings.selectors import rating_summary
from ratings.services import customer_message_add, rating_reply
from tests.notifications.harness import wait_for

# Assertions over every merchant read as the sweeper, as the sweeps do (SEC-3).
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
EVERY_MERCHANT = "sweeper"


def _parts(message) -> dict[str, str]:
    return {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}


def test_ar3_matrix_placeholders_thread_and_replies_sent_with_a_real_worker(make, delivery, acting_for):
    # Merchant A: on, 1 minute delay; ratings arrived 52 s ago, so they fall due ~8 s from now.
    a = make.merchant("ar-a", name="Café Andino", language="es")
    acting_for(a)
    autoreply_settings_update(merchant=a, enabled=True, delay_minutes=1,
                              subject="{first_name}, {{lo sentimos}}",
                              body="Hola {full_name}: {score}/10 en {branch} de {merchant} el {visit_date}.")
    arrived = timezone.now() - dt.timedelta(seconds=52)

    def rate(merchant, key, score=4, comment=None, email=True):
        customer = make.customer(merchant, f"{key.title()} Cliente", email=f"{key}@example.com" if email else None)
        return make.rating(merchant, score=score, comment=comment, customer=customer, created_at=arrived)

    eligible = rate(a, "eligible")
    never = {
        "score_7": rate(a, "score7", score=7), "comment": rate(a, "comment", comment="Frío"),
        "no_email": rate(a, "noemail", email=False),
    }
    opted = make.customer(a, "Opted Cliente", email="opted@example.com")
    customer_opt_out(merchant=a, customer=opted)
    never["opted_out"] = make.rating(a, score=2, customer=opted, created_at=arrived)
    later = {key: rate(a, key) for key in ("commented", "replied", "optedlater", "emailgone")}
    customer_message_add(merchant=a, rating=later["commented"], body="La sopa estaba fría")
    rating_reply(merchant=a, rating=later["replied"], author=make.admin(a), body="¿Qué pasó?")
    customer_opt_out(merchant=a, customer=later["optedlater"].customer)
    Customer.objects.filter(pk=later["emailgone"].customer_id).update(email=None)
    # Merchant B: on when the rating arrived, off when it fell due.
    b = make.merchant("ar-b", language="es")
    acting_for(b)
    autoreply_settings_update(merchant=b, enabled=True, delay_minutes=1)
    later["turned_off"] = rate(b, "turnedoff")
    autoreply_set_enabled(merchant=b, enabled=False)
    # Merchant C: off when the rating arrived, turned on afterwards.
    c = make.merchant("ar-c", language="es")
    acting_for(c)
    never["before_on"] = rate(c, "beforeon")
    autoreply_settings_update(merchant=c, enabled=True, delay_minutes=0)
    # Merchant D: English, no delay.
    d = make.merchant("ar-d", name="Diner", language="en")
    acting_for(d)
    autoreply_settings_update(merchant=d, enabled=True, delay_minutes=0, subject="Sorry {first_name}",
                              body="Hi {first_name}, visit of {visit_date}")
    english = rate(d, "english", score=1)

    assert all(r.autoreply_due_at is None for r in never.values())
    delivery.worker(beat=True)
    wait_for(lambda: not Rating.objects.using(EVERY_MERCHANT).filter(autoreply_due_at__isnull=False).exists(),
             60, 0.3, "every due rating decided")
    wait_for(lambda: OutgoingEmail.objects.using(EVERY_MERCHANT).filter(kind="auto_reply", status="sent").count()
             == 2, 30, 0.3, "the two auto-replies sent")
    time.sleep(2.5)  # two more sweeps: nothing else may leave

    auto = [m for m in delivery.smtp.handler.messages if "auto-reply" in m["Message-ID"]]
    assert sorted(m["To"] for m in auto) == ["eligible@example.com", "english@example.com"]
    assert delivery.smtp.handler.message_ids().most_common(1)[0][1] == 1  # no duplicates at all
    spanish = next(m for m in auto if m["To"] == "eligible@example.com")
    assert spanish["Subject"] == "Eligible, {lo sentimos}"
    visit_date = timezone.localtime(eligible.visit.visited_at, dt.timezone(dt.timedelta(hours=-5))).strftime("%d/%m/%Y")
    text = _parts(spanish)["text/plain"]
    assert f"Hola Eligible Cliente: 4/10 en Principal de Café Andino el {visit_date}." in text
    assert "/c/" in text and "/u/" in text and "/c/" in _parts(spanish)["text/html"]
    unsubscribe = " ".join(spanish["List-Unsubscribe"].split())
    assert unsubscribe.startswith("<http") and "/u/" in unsubscribe
    english_mail = next(m for m in auto if m["To"] == "english@example.com")
    assert english_mail["Subject"] == "Sorry English"
    assert "visit of " + english.visit.visited_at.astimezone(
        dt.timezone(dt.timedelta(hours=-5))).strftime("%-d %b %Y") in _parts(english_mail)["text/plain"]

    acting_for(a)
    row = OutgoingEmail.objects.get(rating=eligible)
    assert (row.status, row.attempts, row.kind) == ("sent", 1, "auto_reply")
    assert spanish["Message-ID"].strip() == row.header_message_id
    eligible.refresh_from_db()
    assert eligible.replies_count == 1 and eligible.messages_count == 1
    [entry] = Message.objects.filter(rating=eligible)
    assert entry.author_kind == "auto_reply" and entry.body.startswith("Hola Eligible Cliente: 4/10")
    assert rating_summary(access=Access.system(a))["replies_sent"] == 2  # the auto-reply and the staff reply
    for rating in [*never.values(), *later.values()]:
        assert not Message.objects.using(EVERY_MERCHANT).filter(rating=rating, author_kind="auto_reply").exists(), \
            rating.customer.full_name
    assert not OutgoingEmail.objects.using(EVERY_MERCHANT).filter(kind="auto_reply").exclude(
        rating__in=[eligible, english]).exists()
