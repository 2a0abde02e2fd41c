"""Integrity in the database, not only in forms: every rule of the data rejects bad rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from customers.models import Visit
from gifts.models import Gift, GiftGrant
from ratings.models import Message, Rating


def rejects(callable_, *args, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        callable_(*args, **kwargs)


@pytest.mark.parametrize("score", [0, 11])
def test_score_outside_1_to_10_is_rejected(make, merchant, score):
    visit = make.visit(merchant)
    rejects(Rating.objects.create, merchant=merchant, visit=visit, customer=visit.customer,
            branch=visit.branch, customer_name_key="x", score=score)


def test_one_rating_per_visit(make, merchant):
    rating = make.rating(merchant)
    rejects(Rating.objects.create, merchant=merchant, visit=rating.visit, customer=rating.customer,
            branch=rating.branch, customer_name_key="x", score=5)


def test_rating_customer_and_branch_must_be_its_visits(make, merchant):
    visit = make.visit(merchant)
    stranger = make.customer(merchant, "Otra Persona")
    rejects(Rating.objects.create, merchant=merchant, visit=visit, customer=stranger,
            branch=visit.branch, customer_name_key="x", score=5)


def test_blank_comment_is_rejected(make, merchant):
    visit = make.visit(merchant)
    rejects(Rating.objects.create, merchant=merchant, visit=visit, customer=visit.customer,
            branch=visit.branch, customer_name_key="x", score=5, comment="   ")


def test_invoice_number_unique_per_branch(make, merchant):
    visit = make.visit(merchant)
    rejects(Visit.objects.create, merchant=merchant, branch=visit.branch, customer=visit.customer,
            visited_at=timezone.now(), invoice_number=visit.invoice_number, invoice_total=1, currency="COP")
    other_branch = make.branch(merchant)
    Visit.objects.create(merchant=merchant, branch=other_branch, customer=visit.customer,
                         visited_at=timezone.now(), invoice_number=visit.invoice_number,
                         invoice_total=1, currency="COP")


def test_blank_message_and_staff_message_without_author_are_rejected(make, merchant):
    rating = make.rating(merchant)
    rejects(Message.objects.create, merchant=merchant, rating=rating, author_kind="customer", body=" \n ")
    rejects(Message.objects.create, merchant=merchant, rating=rating, author_kind="staff", body="Hola")
    rejects(Message.objects.create, merchant=merchant, rating=rating, author_kind="robot", body="Hola")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "product"},  # no product name
        {"kind": "product", "product_name": "Café", "points": 10},
        {"kind": "points", "points": 0},
        {"kind": "points", "points": 100, "discount_percent": 10},
        {"kind": "discount"},  # neither percent nor amount
        {"kind": "discount", "discount_percent": 0},
        {"kind": "discount", "discount_percent": 101},
        {"kind": "discount", "discount_percent": 10, "discount_amount": Decimal("5000")},
        {"kind": "discount", "discount_amount": Decimal("0")},
        {"kind": "voucher", "product_name": "x"},
    ],
)
def test_gift_kind_fields_must_be_consistent(merchant, fields):
    rejects(Gift.objects.create, merchant=merchant, name="Regalo", validity_days=10, **fields)


def test_gift_validity_must_be_positive(merchant):
    rejects(Gift.objects.create, merchant=merchant, name="Regalo", kind="points", points=5, validity_days=0)


def test_grant_codes_are_unique_and_from_the_unambiguous_alphabet(make, merchant, other_merchant):
    rating = make.rating(merchant)
    gift = Gift.objects.create(merchant=merchant, name="Café", kind="product", product_name="Tinto",
                               validity_days=5)
    now = timezone.now()
    common = {"merchant": merchant, "gift": gift, "customer": rating.customer, "granted_at": now,
              "expires_at": now + dt.timedelta(days=5)}
    GiftGrant.objects.create(code="ABCD2345", **common)
    rejects(GiftGrant.objects.create, code="ABCD2345", **common)
    for bad in ("ABCD0345", "ABCDO345", "ABCDI345", "ABCDL345", "abcd2345", "SHORT"):
        rejects(GiftGrant.objects.create, code=bad, **common)
    rejects(GiftGrant.objects.create, code="ABCD2346", status="redeemed", **common)


def test_customer_points_balance_cannot_go_negative(make, merchant):
    customer = make.customer(merchant)
    customer.points_balance = -1
    rejects(customer.save)


def test_autoreply_delay_is_bounded(merchant):
    from autoreply.models import AutoReplySettings

    row = AutoReplySettings.defaults_for(merchant)
    row.delay_minutes = 1441
    rejects(row.save)


def test_one_auto_reply_email_per_rating(make, merchant):
    from notifications.models import OutgoingEmail

    rating = make.rating(merchant, score=3)
    common = {"merchant": merchant, "kind": "auto_reply", "customer": rating.customer, "rating": rating,
              "to_address": "a@example.com", "subject": "s", "body_text": "b"}
    OutgoingEmail.objects.create(header_message_id="<1@x>", **common)
    rejects(OutgoingEmail.objects.create, header_message_id="<2@x>", **common)
