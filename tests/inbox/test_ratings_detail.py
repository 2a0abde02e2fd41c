"""API.md "Ratings" detail, read state, POST rating, summary and "Messages" (INB-1, THR-1/2, API-2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from merchants import tenancy
from tests.conftest import base


def test_detail_has_every_field_and_does_not_mark_read(make, merchant, admin_client):
    from gifts.models import Gift, GiftGrant

    rating = make.rating(merchant, 4, "La sopa llegó fría")
    gift = Gift.objects.create(merchant=merchant, name="Postre", kind="product", product_name="Flan",
                               validity_days=30)
    now = timezone.now()
    GiftGrant.objects.create(merchant=merchant, gift=gift, customer=rating.customer, rating=rating,
                             code="ABCDEFGH", granted_at=now - dt.timedelta(days=40),
                             expires_at=now - dt.timedelta(days=10))
    response = admin_client.get(base(merchant) + f"ratings/{rating.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["comment"] == "La sopa llegó fría"
    assert body["visit"]["id"] == rating.visit_id
    assert set(body["visit"]["branch"]) == {"id", "name"}
    invoice = body["visit"]["invoice"]
    assert invoice["total"] == "45900.00" and invoice["currency"] == "COP" and invoice["number"].startswith("F-")
    assert invoice["lines"] == [{"description": "Bandeja paisa", "quantity": "1.000",
                                 "unit_price": "45900.00", "line_total": "45900.00"}]
    assert body["customer"] == {"id": rating.customer_id, "full_name": "José Pérez", "last_score": 4,
                                "gifts_offered": 1, "gifts_redeemed": 0, "gifts_expired": 1}
    assert body["messages"][0]["author_kind"] == "customer"
    assert body["gift_grants"][0]["status"] == "expired" and body["gift_grants"][0]["code"] == "ABCDEFGH"
    assert body["conversation_url"].startswith("http://") and "/c/" in body["conversation_url"]
    rating.refresh_from_db()
    assert rating.is_read is False


def test_read_and_unread_are_204(make, merchant, client_for):
    rating = make.rating(merchant, 8)
    staff = client_for(make.member(merchant, "staff"))
    url = base(merchant) + f"ratings/{rating.id}/"
    assert staff.post(url + "read/").status_code == 204
    rating.refresh_from_db()
    assert rating.is_read is True
    assert staff.post(url + "unread/").status_code == 204
    rating.refresh_from_db()
    assert rating.is_read is False
    assert staff.post(base(merchant) + "ratings/999999/read/").status_code == 404


def test_post_rating_as_admin(make, merchant, admin_client):
    visit = make.visit(merchant)
    response = admin_client.post(base(merchant) + "ratings/", {"visit": visit.id, "score": 9, "comment": "Bien"},
                                 format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["score"] == 9 and body["comment"] == "Bien" and body["visit"]["id"] == visit.id
    again = admin_client.post(base(merchant) + "ratings/", {"visit": visit.id, "score": 3}, format="json")
    assert again.status_code == 409


def test_post_rating_created_at_rules(make, merchant, admin_client):
    visit = make.visit(merchant, visited_at=timezone.now() - dt.timedelta(days=3))
    url = base(merchant) + "ratings/"
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    before = (visit.visited_at - dt.timedelta(minutes=1)).isoformat()
    for created_at in (future, before):
        response = admin_client.post(url, {"visit": visit.id, "score": 5, "created_at": created_at}, format="json")
        assert response.status_code == 400 and "created_at" in response.json()
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = admin_client.post(url, {"visit": visit.id, "score": 5, "created_at": past}, format="json")
    assert response.status_code == 201
    created_at = response.json()["created_at"]
    assert created_at.endswith("-05:00")
    assert dt.datetime.fromisoformat(created_at) == dt.datetime.fromisoformat(past)


@pytest.mark.parametrize("payload, field", [
    ({"score": 5}, "visit"), ({"visit": 1}, "score"), ({"visit": 1, "score": 11}, "score"),
    ({"visit": 1, "score": 0}, "score"), ({"visit": 1, "score": "x"}, "score"), ({"visit": 1, "score": 5.5}, "score"),
    ({"visit": "abc", "score": 5}, "visit"), ({"visit": 1, "score": 5, "created_at": "ayer"}, "created_at"),
    ({"visit": 1, "score": 5, "comment": "x" * 5001}, "comment"),
])
def test_post_rating_invalid_input_names_the_field(make, merchant, admin_client, payload, field):
    visit = make.visit(merchant)
    if payload.get("visit") == 1:
        payload = {**payload, "visit": visit.id}
    response = admin_client.post(base(merchant) + "ratings/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_post_rating_for_another_merchants_visit_is_400(make, merchant, other_merchant, admin_client):
    foreign = make.visit(other_merchant)
    response = admin_client.post(base(merchant) + "ratings/", {"visit": foreign.id, "score": 5}, format="json")
    assert response.status_code == 400 and "visit" in response.json()


def test_summary_counts_and_nps(make, merchant, admin_client):
    from ratings.services import autoreply_message_add, rating_reply, system_message_add

    admin = make.admin(merchant)
    r1 = make.rating(merchant, 10, "Genial")
    make.rating(merchant, 9)
    make.rating(merchant, 8, "Bien")
    r4 = make.rating(merchant, 3)
    rating_reply(merchant=merchant, rating=r1, author=admin, body="Gracias")
    autoreply_message_add(merchant=merchant, rating=r4, body="¿Qué pasó?")
    system_message_add(merchant=merchant, rating=r4, body="Regalo")
    body = admin_client.get(base(merchant) + "ratings/summary/").json()
    assert body == {"total_ratings": 4, "comments_received": 2, "replies_sent": 2, "unread_comments": 1,
                    "promoters": 2, "passives": 1, "detractors": 1, "nps": 25,
                    # CASE-6: "Bien" waits for a reply; the 3 opened a case nobody owns yet.
                    "needs_reply": 1, "open_cases": 1, "unassigned_cases": 1, "overdue_cases": 0, "my_cases": 0}


@pytest.mark.parametrize("scores, expected", [([10] * 1 + [8] * 7, 13), ([1] * 1 + [8] * 7, -13), ([], None)])
def test_summary_nps_halves_round_away_from_zero(make, merchant, admin_client, scores, expected):
    for score in scores:
        make.rating(merchant, score)
    assert admin_client.get(base(merchant) + "ratings/summary/").json()["nps"] == expected


def test_messages_thread_oldest_first_with_comment_first(make, merchant, admin_client):
    rating = make.rating(merchant, 4, "Frío")
    admin = make.admin(merchant)
    admin.full_name = "Laura Admin"
    admin.save()
    response = admin_client.post(base(merchant) + f"ratings/{rating.id}/messages/", {"body": "Lo sentimos"},
                                 format="json")
    assert response.status_code == 201
    created = response.json()
    assert created["author_kind"] == "staff" and created["author"] == {"id": admin.id, "full_name": "Laura Admin"}
    assert created["body"] == "Lo sentimos" and created["gift_grant"] is None
    thread = admin_client.get(base(merchant) + f"ratings/{rating.id}/messages/").json()
    assert [m["author_kind"] for m in thread] == ["customer", "staff"]
    assert thread[0]["author"] is None and thread[0]["body"] == "Frío"
    assert set(thread[0]) == {"id", "author_kind", "author", "body", "created_at", "gift_grant", "event"}
    rating.refresh_from_db()
    assert rating.is_read is True  # a staff reply marks it read


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 5001, None])
def test_reply_empty_or_too_long_is_400(make, merchant, admin_client, body):
    rating = make.rating(merchant, 4)
    response = admin_client.post(base(merchant) + f"ratings/{rating.id}/messages/", {"body": body}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    assert rating.messages.count() == 0


@pytest.mark.django_db(transaction=True)
def test_reply_emails_the_customer(make, client_for):
    merchant = make.merchant()
    rating = make.rating(merchant, 4)
    client = client_for(make.admin(merchant))
    response = client.post(base(merchant) + f"ratings/{rating.id}/messages/", {"body": "Hola"}, format="json")
    assert response.status_code == 201
    from notifications.models import OutgoingEmail

    with tenancy.tenant(merchant.pk):
        assert OutgoingEmail.objects.filter(rating=rating, kind="staff_reply").exists() or mail.outbox
