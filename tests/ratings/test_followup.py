"""ANA-4 "Did we fix it?": asking the customer of a resolved case to rate again, by hand (the case bar and
`POST …/ratings/{id}/followup-request/`) or on resolve (the merchant's followup_on_resolve), once per
rating, decided by the database."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from customers.models import Customer
from merchants import tenancy
from merchants.access import Access
from merchants.models import AuditLog, Merchant
from notifications.models import OutgoingEmail
from ratings import cases, followup
from ratings.models import Rating
from ratings.services import ratings_bulk
from tests.conftest import base

pytestmark = pytest.mark.django_db


def url(merchant, rating) -> str:
    return f"{base(merchant)}ratings/{rating.pk}/followup-request/"


def resolved(make, merchant, score=3, *, email="ana@example.com", **customer):
    rating = make.rating(merchant, score, "La sopa llegó fría",
                         customer=make.customer(merchant, "Ana Ruiz", email=email, **customer))
    cases.case_update(access=Access.system(merchant), rating=rating, actor=make.admin(merchant), status="resolved")
    return Rating.objects.get(pk=rating.pk)


def followups(rating):
    return list(OutgoingEmail.objects.filter(rating=rating, kind="followup"))


def test_a_member_asks_once_202_and_the_email_links_to_the_followup_page_ANA_4(make, merchant, client_for):
    rating = resolved(make, merchant)
    staff = make.member(merchant, "staff")
    response = client_for(staff).post(url(merchant, rating))
    assert response.status_code == 202
    rating.refresh_from_db()
    assert rating.followup_requested_at is not None
    bogota = ZoneInfo("America/Bogota")  # the merchant's time zone
    assert response.json() == {"status": "queued",
                               "followup_requested_at": rating.followup_requested_at.astimezone(bogota).isoformat()}
    [email] = followups(rating)
    assert (email.to_address, email.status, email.customer_id) == ("ana@example.com", "queued", rating.customer_id)
    # In the merchant's language (Spanish), text and HTML, with the signed /f/ link and the numbers.
    assert email.subject == "¿Lo solucionamos? Una pregunta de La Arepa Dorada"
    assert "Hola, Ana Ruiz:" in email.body_text and "/f/" in email.body_text and "/u/" in email.body_text
    links = re.findall(r'href="(http://[^"]+/f/[^"]+)"', email.body_html)
    assert [link.rpartition("=")[2] for link in links if "?score=" in link] == [str(n) for n in range(1, 11)]
    assert AuditLog.objects.filter(action="rating.followup_request", object_id=rating.pk, actor=staff).exists()

    again = client_for(staff).post(url(merchant, rating))
    assert again.status_code == 409
    assert again.json() == {"code": "already_requested",
                            "detail": "Ya le pedimos al cliente una nueva calificación; solo lo hacemos una vez."}
    assert len(followups(rating)) == 1


@pytest.mark.parametrize(("setup", "code", "detail"), [
    ("open", "not_resolved", "Resuelve el caso antes de pedirle al cliente una nueva calificación."),
    ("no_email", "no_email", "Este cliente no tiene correo electrónico para preguntarle."),
    ("opted_out", "opted_out", "Este cliente se dio de baja de nuestros correos."),
    ("erased", "erased", "Los datos de este cliente fueron borrados: no se le puede preguntar."),
])
def test_refusals_are_409_with_the_reason_and_write_nothing_ANA_4(make, merchant, admin_client, setup, code, detail):
    rating = resolved(make, merchant, email=None if setup == "no_email" else "ana@example.com")
    if setup == "open":
        cases.case_update(access=Access.system(merchant), rating=rating, actor=None, status="open")
    elif setup == "opted_out":
        Customer.objects.filter(pk=rating.customer_id).update(email_opt_out=True)
    elif setup == "erased":
        Customer.objects.filter(pk=rating.customer_id).update(erased_at=timezone.now(), email=None,
                                                              email_opt_out=True, full_name="Cliente borrado")
    response = admin_client.post(url(merchant, rating))
    assert response.status_code == 409
    assert response.json() == {"code": code, "detail": detail}
    assert not followups(rating) and Rating.objects.get(pk=rating.pk).followup_requested_at is None


def test_in_english_for_an_english_caller_the_refusal_reads_in_english_ANA_4(make, merchant, client_for):
    rating = make.rating(merchant, 3)
    user = make.member(merchant, "staff")
    user.language = "en"
    user.save(update_fields=["language"])
    response = client_for(user).post(url(merchant, rating), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["code"] == "not_resolved"


def test_another_merchant_or_branch_gets_404_and_a_key_403_ANA_4(make, merchant, other_merchant, client_for, api_key):
    rating = resolved(make, merchant)
    outsider = make.admin(other_merchant)
    assert client_for(outsider).post(url(merchant, rating)).status_code == 404
    elsewhere = make.member(merchant, "staff", branches=[make.branch(merchant, "Norte")])
    assert client_for(elsewhere).post(url(merchant, rating)).status_code == 404
    assert client_for(api_key=api_key).post(url(merchant, rating)).status_code == 403
    assert not followups(rating)


def test_resolving_asks_when_the_merchant_wants_it_one_by_one_and_in_bulk_ANA_4(make, merchant, admin_client):
    Merchant.objects.filter(pk=merchant.pk).update(followup_on_resolve=True)
    merchant.refresh_from_db()
    one = make.rating(merchant, 2, customer=make.customer(merchant, "Uno", email="uno@example.com"))
    silent = make.rating(merchant, 4, customer=make.customer(merchant, "Sin correo", email=None))
    many = [make.rating(merchant, 5, customer=make.customer(merchant, f"P{n}", email=f"p{n}@example.com"))
            for n in range(3)]
    response = admin_client.patch(f"{base(merchant)}ratings/{one.pk}/", {"status": "resolved"}, format="json")
    assert response.status_code == 200
    assert len(followups(one)) == 1 and Rating.objects.get(pk=one.pk).followup_requested_at is not None
    ratings_bulk(access=Access.system(merchant), actor=make.admin(merchant), action="status", value="resolved",
                 ids=[silent.pk, *[r.pk for r in many]])
    assert not followups(silent)  # no e-mail: skipped without a word
    assert all(len(followups(r)) == 1 for r in many)
    # Reopened and resolved again: still once.
    cases.case_update(access=Access.system(merchant), rating=one, actor=None, status="open")
    cases.case_update(access=Access.system(merchant), rating=Rating.objects.get(pk=one.pk), actor=None,
                      status="resolved")
    assert len(followups(one)) == 1


def test_resolving_asks_nobody_while_the_setting_is_off_ANA_4(make, merchant):
    rating = resolved(make, merchant)
    assert not followups(rating) and rating.followup_requested_at is None


def test_the_database_allows_one_followup_email_per_rating_ANA_4(make, merchant):
    rating = resolved(make, merchant)
    followup.followup_request(access=Access.system(merchant), rating=rating, actor=None)
    [email] = followups(rating)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(merchant=merchant, kind="followup", customer=email.customer, rating=rating,
                                     to_address=email.to_address, subject="x", body_text="x",
                                     header_message_id="<other@example.com>")
    # A writer that missed the rating's request time still records nothing: the constraint decides.
    rating.followup_requested_at = None
    assert followup._recorded(merchant, rating, email.customer, timezone.now()) is False
    assert len(followups(rating)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_send_one_email_and_the_second_is_told_ANA_4(make, acting_for):
    merchant = make.merchant()
    acting_for(merchant)
    rating = resolved(make, merchant)
    admin = make.admin(merchant)
    started = threading.Event()
    results = {}

    def run(key, hold):
        try:
            with tenancy.tenant(merchant.pk), transaction.atomic():
                if not hold:
                    started.wait(5)
                mine = Rating.objects.get(pk=rating.pk)
                mine.customer = Customer.objects.get(pk=rating.customer_id)
                results[key] = followup.followup_request(access=Access.system(merchant), rating=mine, actor=admin)
                if hold:
                    started.set()
                    time.sleep(0.4)  # the second request arrives while this one has not committed
        except Exception as exc:  # noqa: BLE001 - the test inspects what each request got
            results[key] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=("first", True)), threading.Thread(target=run, args=("second", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert isinstance(results["first"], Rating)
    assert isinstance(results["second"], followup.FollowupRefused) and results["second"].reason == "already_requested"
    assert OutgoingEmail.objects.filter(rating_id=rating.pk, kind="followup").count() == 1


def test_the_case_bar_offers_the_request_and_then_shows_its_state_ANA_4(make, merchant, client):
    rating = resolved(make, merchant)
    admin = make.admin(merchant)
    admin.language = "en"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    page = f"/m/{merchant.slug}/inbox/{rating.pk}/"
    html = client.get(page).content.decode()
    assert 'id="case-followup-ask"' in html and "Ask the customer to rate again" in html
    response = client.post(f"{page}followup/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-bar")
    html = response.content.decode()
    assert response.status_code == 200 and "We asked Ana Ruiz to rate us again." in html
    assert "Asked to rate again on" in html and 'id="case-followup-ask"' not in html
    again = client.post(f"{page}followup/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-bar").content.decode()
    assert "we ask only once" in again and len(followups(rating)) == 1
    Rating.objects.filter(pk=rating.pk).update(followup_score=8, followup_at=timezone.now())
    html = client.get(page).content.decode()
    assert "Rated again: 3 → 8" in html and 'id="detail-followup"' in html
    assert re.search(r'class="case-chip chip-followup"[^>]*>3 → <b class="followup-passive">8</b>', html)


def test_the_case_bar_says_why_it_cannot_ask_ANA_4(make, merchant, client):
    rating = resolved(make, merchant, email=None)
    admin = make.admin(merchant)
    admin.language = "en"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    html = client.get(f"/m/{merchant.slug}/inbox/{rating.pk}/").content.decode()
    assert "This customer has no e-mail address to ask them." in html and "case-followup-ask" not in html


def test_the_api_detail_shows_the_followup_score_ANA_4(make, merchant, admin_client):
    rating = resolved(make, merchant)
    Rating.objects.filter(pk=rating.pk).update(followup_score=9, followup_at=timezone.now() - dt.timedelta(hours=1))
    assert admin_client.get(f"{base(merchant)}ratings/{rating.pk}/").json()["followup_score"] == 9
    items = admin_client.get(f"{base(merchant)}ratings/").json()["results"]
    assert [item["followup_score"] for item in items] == [9]


def test_the_inbox_poll_sees_the_answer_arrive_ANA_4(make, merchant, client):
    from ratings.services import followup_answer

    rating = resolved(make, merchant)
    followup.followup_request(access=Access.system(merchant), rating=rating, actor=None)
    client.force_login(make.admin(merchant))
    page = client.get(f"/m/{merchant.slug}/inbox/{rating.pk}/").content.decode()
    signature = re.search(r'"sig": "([0-9a-f]+)"', page)
    poll = f"/m/{merchant.slug}/inbox/poll/?open={rating.pk}&sig={signature.group(1)}"
    assert client.get(poll, HTTP_HX_REQUEST="true").status_code == 204
    followup_answer(merchant=merchant, rating=rating, score=8)
    changed = client.get(poll, HTTP_HX_REQUEST="true")
    assert changed.status_code == 200 and "3 → <b" in changed.content.decode()
