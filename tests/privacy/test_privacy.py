"""Habeas data (PRODUCT.md §14, API.md "Privacy"): export (PRV-1), erase (PRV-2), retention (PRV-3),
through the API, the pages and the daily task; roles, restricted admins and other merchants."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from customers.links import conversation_url
from customers.models import Customer, CustomerNameToken
from merchants import tenancy
from merchants.access import Access
from merchants.models import AuditLog, Merchant
from notifications import tasks as email_tasks
from notifications.models import OutgoingEmail
from privacy.services import customer_export, months_before, retention_apply
from privacy.tasks import retention_sweep
from tests.conftest import base

NAME = "María José Ñáñez"
ERASED = "[borrado]"


@pytest.fixture
def story(make, merchant, api, client):
    """A customer with two visits (one rated, with a comment), a later message of theirs, a staff
    reply (e-mailed and sent), a redeemed points gift (its e-mail still queued) and points."""
    customer = make.customer(merchant, NAME, email="mj@example.com", phone="+57 300 1234567",
                             document_id="CC-1020", birth_date=dt.date(1990, 5, 4))
    rating = make.rating(merchant, 4, "La sopa llegó fría", customer=customer)
    unrated = make.visit(merchant, customer=customer, visited_at=timezone.now() - dt.timedelta(minutes=30))
    assert client.post(urlparse(conversation_url(rating)).path, {"body": "Y nadie vino a la mesa"}).status_code == 302
    reply = api.post(base(merchant) + f"ratings/{rating.pk}/messages/", {"body": "Lo sentimos mucho"}, format="json")
    assert reply.status_code == 201
    note = api.post(base(merchant) + f"ratings/{rating.pk}/notes/", {"body": "Nota interna: cliente difícil"},
                    format="json")
    assert note.status_code == 201
    reply_email = OutgoingEmail.objects.get(merchant=merchant, customer=customer, kind="staff_reply")
    assert email_tasks.email_send(reply_email.pk, merchant.pk) == "sent"
    grant = api.post(base(merchant) + f"ratings/{rating.pk}/gifts/", {"new_gift": {
        "name": "Puntos de disculpa", "kind": "points", "points": 50, "validity_days": 30}}, format="json").json()
    assert api.post(base(merchant) + "gift-grants/redeem/", {"code": grant["code"]}, format="json").status_code == 200
    gift_email = OutgoingEmail.objects.get(merchant=merchant, customer=customer, kind="gift")
    assert gift_email.status == "queued"
    return {"customer": customer, "rating": rating, "unrated": unrated, "grant": grant,
            "reply_email": reply_email, "gift_email": gift_email}


def test_export_has_every_part_of_the_customers_data_PRV_1(merchant, api, story):
    customer, rating = story["customer"], story["rating"]
    response = api.get(base(merchant) + f"customers/{customer.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}.json"'
    data = response.json()
    assert set(data) == {"customer", "visits", "ratings", "messages", "gift_grants", "points", "emails"}
    assert {k: data["customer"][k] for k in ("id", "full_name", "email", "phone", "document_id", "birth_date",
                                              "email_opt_out", "points_balance", "erased_at")} == {
        "id": customer.pk, "full_name": NAME, "email": "mj@example.com", "phone": "+57 300 1234567",
        "document_id": "CC-1020", "birth_date": "1990-05-04", "email_opt_out": False, "points_balance": 50,
        "erased_at": None}
    assert [v["id"] for v in data["visits"]] == [rating.visit_id, story["unrated"].pk]
    rated_visit = data["visits"][0]
    assert rated_visit["rating"] == rating.pk and data["visits"][1]["rating"] is None
    assert rated_visit["invoice"]["lines"] == [{"description": "Bandeja paisa", "quantity": "1.000",
                                                "unit_price": "45900.00", "line_total": "45900.00"}]
    assert rated_visit["visited_at"].endswith("-05:00")  # the merchant's time zone, as the API writes times
    assert [(r["id"], r["score"], r["comment"]) for r in data["ratings"]] == [(rating.pk, 4, "La sopa llegó fría")]
    assert [(m["author_kind"], m["body"]) for m in data["messages"]][:3] == [
        ("customer", "La sopa llegó fría"), ("customer", "Y nadie vino a la mesa"), ("staff", "Lo sentimos mucho")]
    assert data["messages"][3]["author_kind"] == "system" and data["messages"][3]["gift_grant"] == story["grant"]["id"]
    assert all("author" not in m for m in data["messages"])  # staff identities are not the customer's data
    assert "Nota interna" not in response.content.decode()  # internal notes are staff-only (CASE)
    [grant] = data["gift_grants"]
    assert (grant["code"], grant["status"], grant["gift"]["kind"]) == (story["grant"]["code"], "redeemed", "points")
    assert [(p["points"], p["balance_after"], p["grant"]) for p in data["points"]] == [(50, 50, grant["id"])]
    emails = {e["kind"]: e for e in data["emails"]}
    assert set(emails) == {"staff_reply", "gift"}
    assert (emails["staff_reply"]["status"], emails["staff_reply"]["to_address"]) == ("sent", "mj@example.com")
    assert emails["gift"]["status"] == "queued" and NAME in emails["gift"]["body_text"]


def test_export_reads_in_eight_queries(merchant, story, django_assert_num_queries):
    access = Access.system(merchant)
    with django_assert_num_queries(8):  # customer, visits, their lines, ratings, messages, grants, points, e-mails
        export = customer_export(access=access, customer_id=story["customer"].pk)
    assert len(export.visits) == 2 and len(export.emails) == 2


def test_wrong_confirmation_is_a_400_on_confirm_and_changes_nothing_PRV_2(merchant, api, story):
    customer = story["customer"]
    for confirm in ("María José", "", "Otro Cliente"):
        response = api.post(base(merchant) + f"customers/{customer.pk}/erase/", {"confirm": confirm}, format="json")
        assert response.status_code == 400 and set(response.json()) == {"confirm"}
    assert api.post(base(merchant) + f"customers/{customer.pk}/erase/", {}, format="json").status_code == 400
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.full_name, stored.email, stored.document_id, stored.erased_at) == (NAME, "mj@example.com",
                                                                                       "CC-1020", None)
    assert CustomerNameToken.objects.filter(customer=customer).count() == 3
    assert OutgoingEmail.objects.get(pk=story["gift_email"].pk).status == "queued"
    assert not AuditLog.objects.filter(merchant=merchant, action="customer.erase").exists()


def _inbox_state(api, merchant, rating):
    detail = api.get(base(merchant) + f"ratings/{rating.pk}/").json()
    return {
        "summary": api.get(base(merchant) + "ratings/summary/").json(),
        "item": {k: detail[k] for k in ("score", "band", "has_comment", "is_read", "messages_count",
                                        "last_message_at")},
        "visits": api.get(base(merchant) + f"customers/{rating.customer_id}/visits/").json()["results"],
    }


def test_erase_clears_personal_data_and_keeps_the_statistics_PRV_2(make, merchant, api, client, story):
    customer, rating = story["customer"], story["rating"]
    make.rating(merchant, 10, "Excelente", customer=make.customer(merchant, "Pedro Pérez", email="p@example.com"))
    admin = make.admin(merchant)
    client.force_login(admin)
    assert NAME in client.get(f"/m/{merchant.slug}/inbox/?q=nanez").content.decode()
    before = _inbox_state(api, merchant, rating)
    sent_before = len(mail.outbox)

    response = api.post(base(merchant) + f"customers/{customer.pk}/erase/", {"confirm": "maría josé ñáñez"},
                        format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == f"Cliente borrado #{customer.pk}"
    assert {k: body[k] for k in ("email", "phone", "document_id", "birth_date", "email_opt_out")} == {
        "email": None, "phone": None, "document_id": None, "birth_date": None, "email_opt_out": True}
    assert body["erased_at"] is not None
    assert api.get(base(merchant) + f"customers/{customer.pk}/").json()["full_name"] == body["full_name"]
    # What they wrote is gone; the staff's words, the scores and every counter stay.
    thread = api.get(base(merchant) + f"ratings/{rating.pk}/messages/").json()
    assert [m["body"] for m in thread if m["author_kind"] == "customer"] == [ERASED, ERASED]
    assert "Lo sentimos mucho" in [m["body"] for m in thread if m["author_kind"] == "staff"]
    assert api.get(base(merchant) + f"ratings/{rating.pk}/").json()["comment"] == ERASED
    assert _inbox_state(api, merchant, rating) == before
    # They leave the name search: the API's customers and ratings, and the inbox page.
    for q in ("maria", "nanez", "josé"):
        assert api.get(base(merchant) + f"customers/?q={q}").json()["results"] == []
        assert api.get(base(merchant) + f"ratings/?q={q}").json()["results"] == []
    assert api.get(base(merchant) + "ratings/?q=pedro").json()["results"] != []
    page = client.get(f"/m/{merchant.slug}/inbox/?q=nanez").content.decode()
    assert NAME not in page and "Ñáñez" not in page
    assert not CustomerNameToken.objects.filter(customer=customer).exists()
    # The queued e-mail is cancelled (the sweep lists only queued and sending rows) and its send task
    # sends nothing; stored copies lose the address.
    gift_email = OutgoingEmail.objects.get(pk=story["gift_email"].pk)
    assert (gift_email.status, gift_email.to_address, gift_email.sent_at) == ("cancelled", "", None)
    assert NAME not in gift_email.body_text and "María" not in gift_email.subject
    assert OutgoingEmail.objects.get(pk=story["reply_email"].pk).status == "sent"
    assert email_tasks.email_send(gift_email.pk, merchant.pk) == "skipped"
    assert len(mail.outbox) == sent_before
    # None sent again: a new reply records no e-mail.
    assert api.post(base(merchant) + f"ratings/{rating.pk}/messages/", {"body": "¿Sigue ahí?"},
                    format="json").status_code == 201
    assert OutgoingEmail.objects.filter(customer=customer).count() == 2
    # Audit-logged, without the name it erased.
    [entry] = AuditLog.objects.filter(merchant=merchant, action="customer.erase")
    assert (entry.object_id, entry.actor_id, entry.data["reason"]) == (customer.pk, admin.pk, "request")
    assert entry.data["emails_cancelled"] == 1 and NAME not in json.dumps(entry.data, ensure_ascii=False)
    # Erasing twice is harmless: the same answer, nothing written again.
    again = api.post(base(merchant) + f"customers/{customer.pk}/erase/", {"confirm": NAME}, format="json")
    assert again.status_code == 200 and again.json() == body
    assert AuditLog.objects.filter(merchant=merchant, action="customer.erase").count() == 1


def test_a_visit_pushed_after_erasure_is_a_new_customer_PRV_2(make, merchant, api):
    customer = make.customer(merchant, "Ana Ruiz", external_id="POS-77")
    assert api.post(base(merchant) + f"customers/{customer.pk}/erase/", {"confirm": "Ana Ruiz"},
                    format="json").status_code == 200
    pushed = api.post(base(merchant) + "visits/", {
        "branch": make.visit(merchant).branch_id, "customer": {"external_id": "POS-77", "full_name": "Ana Ruiz"},
        "visited_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "invoice": {"number": "F-9001", "total": "1000", "currency": "COP"}}, format="json")
    assert pushed.status_code == 201 and pushed.json()["customer"] != customer.pk
    assert Customer.objects.get(pk=customer.pk).full_name == f"Cliente borrado #{customer.pk}"


@pytest.mark.parametrize("role", ["staff", "agent"])
def test_staff_and_agents_get_403_PRV(make, merchant, client_for, role):
    customer = make.customer(merchant, "Ana Ruiz")
    member = client_for(make.member(merchant, role))
    url = base(merchant) + f"customers/{customer.pk}/"
    assert member.get(url + "export/").status_code == 403
    assert member.post(url + "erase/", {"confirm": "Ana Ruiz"}, format="json").status_code == 403
    assert member.get(base(merchant) + "settings/retention/").status_code == 403
    assert member.put(base(merchant) + "settings/retention/", {"erase_after_months": 12},
                      format="json").status_code == 403
    assert Customer.objects.get(pk=customer.pk).erased_at is None


def test_branch_restricted_admin_and_integration_key_get_403_PRV(make, merchant, client_for):
    from merchants.services import api_key_create

    branch = make.branch(merchant, "Norte")
    customer = make.customer(merchant, "Ana Ruiz")
    make.visit(merchant, customer=customer, branch=branch)
    restricted = client_for(make.member(merchant, "admin", branches=[branch]))
    url = base(merchant) + f"customers/{customer.pk}/"
    assert restricted.get(url + "export/").status_code == 403
    assert restricted.post(url + "erase/", {"confirm": "Ana Ruiz"}, format="json").status_code == 403
    assert restricted.put(base(merchant) + "settings/retention/", {"erase_after_months": 12},
                          format="json").status_code == 403
    hidden = make.customer(merchant, "Oculto Otra Sucursal")
    make.visit(merchant, customer=hidden)  # only at the first branch, not the member's
    for path in ("export/", "erase/"):  # TEN-3: out of their branches is unknown, not forbidden
        call = restricted.get if path == "export/" else restricted.post
        assert call(base(merchant) + f"customers/{hidden.pk}/{path}").status_code == 404
    _key, raw = api_key_create(merchant=merchant, name="POS")
    key = client_for(api_key=raw)
    assert key.get(url + "export/").status_code == 403
    assert key.post(url + "erase/", {"confirm": "Ana Ruiz"}, format="json").status_code == 403
    assert Customer.objects.get(pk=customer.pk).erased_at is None


def test_another_merchants_customer_or_an_unknown_id_is_404_PRV(make, merchant, other_merchant, client_for, api):
    theirs = make.customer(other_merchant, "Ana Ruiz")
    for path in (f"customers/{theirs.pk}/", "customers/999999/"):
        assert api.get(base(merchant) + path + "export/").status_code == 404
        assert api.post(base(merchant) + path + "erase/", {"confirm": "Ana Ruiz"}, format="json").status_code == 404
    outsider = client_for(make.admin(other_merchant))
    mine = make.customer(merchant, "Luis Mora")
    assert outsider.get(base(merchant) + f"customers/{mine.pk}/export/").status_code == 404
    assert outsider.post(base(merchant) + f"customers/{mine.pk}/erase/", {"confirm": "Luis Mora"},
                         format="json").status_code == 404
    assert outsider.get(base(merchant) + "settings/retention/").status_code == 404
    assert Customer.objects.get(pk=mine.pk).erased_at is None
    with tenancy.tenant(other_merchant.pk):
        assert Customer.objects.get(pk=theirs.pk).erased_at is None


def test_retention_setting_is_off_by_default_and_6_to_120_months_PRV_3(merchant, api):
    url = base(merchant) + "settings/retention/"
    assert api.get(url).json() == {"erase_after_months": None}
    for wrong in (5, 121, "doce", 12.5):
        response = api.put(url, {"erase_after_months": wrong}, format="json")
        assert response.status_code == 400 and set(response.json()) == {"erase_after_months"}
    assert api.put(url, {}, format="json").status_code == 400
    assert api.put(url, {"erase_after_months": 6}, format="json").json() == {"erase_after_months": 6}
    assert api.get(url).json() == {"erase_after_months": 6}
    assert api.put(url, {"erase_after_months": None}, format="json").json() == {"erase_after_months": None}
    assert list(AuditLog.objects.filter(merchant=merchant, action="retention.update").values_list("data", flat=True)
                .order_by("id")) == [{"from": None, "to": 6}, {"from": 6, "to": None}]


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)
    assert months_before(dt.date(2026, 12, 1), 120) == dt.date(2016, 12, 1)


def _at(merchant, day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(merchant.timezone))


def test_retention_erases_only_customers_without_a_visit_for_n_months_and_is_idempotent_PRV_3(make, merchant, api):
    assert api.put(base(merchant) + "settings/retention/", {"erase_after_months": 12},
                   format="json").status_code == 200
    merchant = Merchant.objects.get(pk=merchant.pk)
    today = timezone.localdate(timezone=ZoneInfo(merchant.timezone))
    cutoff_day = months_before(today, 12)
    stale = make.customer(merchant, "Gone Long", email="gone@example.com")
    make.visit(merchant, customer=stale, visited_at=_at(merchant, cutoff_day - dt.timedelta(days=1), 23))
    edge = make.customer(merchant, "On The Edge")
    make.visit(merchant, customer=edge, visited_at=_at(merchant, cutoff_day, 0))
    back = make.customer(merchant, "Came Back")
    make.visit(merchant, customer=back, visited_at=_at(merchant, cutoff_day - dt.timedelta(days=400)))
    make.visit(merchant, customer=back, visited_at=_at(merchant, today - dt.timedelta(days=20)))
    never_new = make.customer(merchant, "Never Came New")
    never_old = make.customer(merchant, "Never Came Old")
    Customer.objects.filter(pk=never_old.pk).update(created_at=_at(merchant, cutoff_day - dt.timedelta(days=3)))

    assert retention_apply(merchant=merchant, today=today) == 2
    erased = set(Customer.objects.filter(merchant=merchant, erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {stale.pk, never_old.pk}
    gone = Customer.objects.get(pk=stale.pk)
    assert (gone.full_name, gone.email, gone.email_opt_out) == (f"Cliente borrado #{stale.pk}", None, True)
    assert retention_apply(merchant=merchant, today=today) == 0
    entries = AuditLog.objects.filter(merchant=merchant, action="customer.erase")
    assert sorted(e.data["reason"] for e in entries) == ["retention", "retention"]
    # The clock moves on a month: the customer on the edge (and the new one, never seen) are due.
    later = today + dt.timedelta(days=31)
    assert retention_apply(merchant=merchant, today=later) == 1
    assert Customer.objects.get(pk=edge.pk).erased_at is not None
    assert Customer.objects.get(pk=never_new.pk).erased_at is None  # recorded today, not 12 months ago
    assert Customer.objects.get(pk=back.pk).erased_at is None


def test_retention_works_in_bounded_batches_and_is_off_without_a_setting_PRV_3(make, merchant):
    old = timezone.now() - dt.timedelta(days=800)
    for name in ("Uno Viejo", "Dos Viejo", "Tres Viejo"):
        make.visit(merchant, customer=make.customer(merchant, name), visited_at=old)
    today = timezone.localdate()
    assert retention_apply(merchant=merchant, today=today) == 0  # off by default
    Merchant.objects.filter(pk=merchant.pk).update(erase_after_months=24)
    merchant = Merchant.objects.get(pk=merchant.pk)
    assert [retention_apply(merchant=merchant, today=today, batch_size=2) for _ in range(3)] == [2, 1, 0]


def test_daily_task_erases_in_each_merchant_with_retention_on_PRV_3(make, merchant, other_merchant, monkeypatch):
    old = timezone.now() - dt.timedelta(days=500)
    mine = make.customer(merchant, "Ana Vieja")
    make.visit(merchant, customer=mine, visited_at=old)
    theirs = make.customer(other_merchant, "Ana Vieja")
    make.visit(other_merchant, customer=theirs, visited_at=old)
    Merchant.objects.filter(pk=merchant.pk).update(erase_after_months=12)
    requeued = []
    monkeypatch.setattr(retention_sweep, "apply_async", lambda **kwargs: requeued.append(kwargs))
    assert retention_sweep() == 1
    assert Customer.objects.get(pk=mine.pk).erased_at is not None
    with tenancy.tenant(other_merchant.pk):
        assert Customer.objects.get(pk=theirs.pk).erased_at is None
    assert retention_sweep() == 0 and requeued == []


def test_beat_runs_the_retention_task_daily_PRV_3(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["customer-retention"]
    assert entry == {"task": "privacy.tasks.retention_sweep", "schedule": 86400.0}
    assert retention_sweep.name == entry["task"]


# --- The pages ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_page(client, make, merchant):
    admin = make.admin(merchant)
    admin.language = "en"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    return client


def _login(client, user):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def test_profile_offers_export_and_erase_to_admins_only_PRV_1_PRV_2(make, merchant, client, admin_page):
    rating = make.rating(merchant, 5, "Regular", customer=make.customer(merchant, NAME))
    profile = f"/m/{merchant.slug}/inbox/{rating.pk}/profile/"
    html = admin_page.get(profile, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="drawer").content.decode()
    assert f"/m/{merchant.slug}/customers/{rating.customer_id}/export/" in html
    assert f"/m/{merchant.slug}/customers/{rating.customer_id}/erase/" in html
    assert "Erase customer" in html and "Export data" in html
    from django.test import Client

    for member in (make.member(merchant, "staff"), make.member(merchant, "agent"),
                   make.member(merchant, "admin", branches=[make.branch(merchant, "Sur")])):
        other = _login(Client(), member)
        page = other.get(profile, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="drawer")
        if page.status_code == 200:
            assert "/erase/" not in page.content.decode() and "/export/" not in page.content.decode()
        assert other.get(f"/m/{merchant.slug}/customers/{rating.customer_id}/erase/").status_code in (403, 404)
        assert other.post(f"/m/{merchant.slug}/customers/{rating.customer_id}/erase/",
                          {"confirm": NAME}).status_code in (403, 404)
        assert other.get(f"/m/{merchant.slug}/customers/{rating.customer_id}/export/").status_code in (403, 404)
    assert Customer.objects.get(pk=rating.customer_id).erased_at is None


def test_export_downloads_the_json_PRV_1(make, merchant, admin_page):
    customer = make.customer(merchant, NAME, email="mj@example.com")
    make.rating(merchant, 9, "Muy bien", customer=customer)
    response = admin_page.get(f"/m/{merchant.slug}/customers/{customer.pk}/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}.json"'
    data = json.loads(response.content)
    assert data["customer"]["full_name"] == NAME and data["ratings"][0]["comment"] == "Muy bien"


def test_erase_page_asks_for_the_name_and_a_wrong_name_changes_nothing_PRV_2(make, merchant, admin_page):
    customer = make.customer(merchant, NAME, email="mj@example.com")
    make.rating(merchant, 2, "Horrible", customer=customer)
    url = f"/m/{merchant.slug}/customers/{customer.pk}/erase/"
    page = admin_page.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="confirm"' in html and NAME in html and "cannot be undone" in html
    assert "<script" not in html.split("</head>")[1] and "style=" not in html  # no inline code (CSP)
    wrong = admin_page.post(url, {"confirm": "María"})
    assert wrong.status_code == 400
    assert "Type the customer&#x27;s full name exactly as shown to confirm." in wrong.content.decode()
    assert "Nothing was erased." in wrong.content.decode()
    assert Customer.objects.get(pk=customer.pk).full_name == NAME
    done = admin_page.post(url, {"confirm": f"  {NAME.upper()} "}, follow=True)
    assert done.redirect_chain == [(url, 302)]
    html = done.content.decode()
    assert "The customer&#x27;s personal data was erased." in html and f"Cliente borrado #{customer.pk}" in html
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.email, stored.erased_at is not None) == (None, True)
    assert 'name="confirm"' not in html


def test_privacy_settings_page_sets_retention_for_admins_PRV_3(make, merchant, admin_page):
    url = f"/m/{merchant.slug}/settings/privacy/"
    inbox = admin_page.get(f"/m/{merchant.slug}/inbox/").content.decode()
    assert f'href="{url}"' in inbox
    assert admin_page.get(url).status_code == 200
    wrong = admin_page.post(url, {"erase_after_months": "3"})
    assert wrong.status_code == 400 and "Between 6 and 120 months" in wrong.content.decode()
    assert admin_page.post(url, {"erase_after_months": "abc"}).status_code == 400
    assert Merchant.objects.get(pk=merchant.pk).erase_after_months is None
    saved = admin_page.post(url, {"erase_after_months": "18"}, follow=True)
    assert "no visit for 18 months will be erased daily" in saved.content.decode()
    assert Merchant.objects.get(pk=merchant.pk).erase_after_months == 18
    admin_page.post(url, {"erase_after_months": ""})
    assert Merchant.objects.get(pk=merchant.pk).erase_after_months is None
    from django.test import Client

    staff = _login(Client(), make.member(merchant, "staff"))
    assert f'href="{url}"' not in staff.get(f"/m/{merchant.slug}/inbox/").content.decode()
    assert staff.get(url).status_code == 403
    assert staff.post(url, {"erase_after_months": "12"}).status_code == 403


def test_export_has_the_follow_up_answer_and_erasure_cancels_an_unsent_follow_up_PRV_1_PRV_2_ANA_4(
        make, merchant, api, story):
    from ratings import cases
    from ratings.followup import followup_request
    from ratings.models import Rating
    from ratings.services import followup_answer

    customer, rating = story["customer"], Rating.objects.get(pk=story["rating"].pk)
    cases.case_update(access=Access.system(merchant), rating=rating, actor=None, status="resolved")
    followup_request(access=Access.system(merchant), rating=Rating.objects.get(pk=rating.pk), actor=None)
    followup_answer(merchant=merchant, rating=rating, score=9)
    data = api.get(base(merchant) + f"customers/{customer.pk}/export/").json()
    [exported] = data["ratings"]
    assert exported["followup_score"] == 9 and exported["followup_at"].endswith("-05:00")
    assert {e["kind"]: e["status"] for e in data["emails"]}["followup"] == "queued"
    assert api.post(base(merchant) + f"customers/{customer.pk}/erase/", {"confirm": NAME},
                    format="json").status_code == 200
    assert OutgoingEmail.objects.get(customer=customer, kind="followup").status == "cancelled"
    assert Rating.objects.get(pk=rating.pk).followup_score == 9  # a score stays for the statistics
