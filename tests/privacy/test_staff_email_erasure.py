"""Erasing a customer (PRV-2) reaches the staff e-mails that quote them (CASE-3, SLA-4): an e-mail about
one of their ratings keeps no name or words of theirs, and one still queued is not sent; a list of many
ratings never named them."""

from __future__ import annotations

import pytest

from merchants.access import Access
from merchants.models import Membership
from notifications.models import OutgoingEmail
from ratings.services import ratings_bulk
from tests.conftest import base

pytestmark = pytest.mark.django_db


def test_erasure_blanks_and_cancels_the_staff_emails_about_the_customer_PRV_2_CASE_3(make, merchant, api):
    agent = make.member(merchant, "agent")
    Membership.objects.filter(merchant=merchant, user=agent).update(notify_new_detractor="instant")
    customer = make.customer(merchant, "Zoila Vaca", email="zoila@example.com")
    rating = make.rating(merchant, 2, "La sopa tenía un pelo", customer=customer)
    again = make.rating(merchant, 4, "Y el pan duro", customer=customer)
    other = make.rating(merchant, 3, "Demorado")
    ratings_bulk(access=Access.system(merchant), actor=make.admin(merchant), ids=[rating.pk, other.pk],
                 action="assign", value=agent.pk)
    about_her = OutgoingEmail.objects.get(kind="new_detractor", rating=rating)
    OutgoingEmail.objects.filter(pk=about_her.pk).update(status="sent", sent_at=about_her.created_at)
    listed = OutgoingEmail.objects.get(kind="assigned")
    assert "Zoila" not in listed.body_text + listed.body_html and f"#{rating.pk}" in listed.body_text
    queued = OutgoingEmail.objects.get(kind="new_detractor", rating=other)
    response = api.post(base(merchant) + f"customers/{customer.pk}/erase/", {"confirm": "Zoila Vaca"}, format="json")
    assert response.status_code == 200
    about_her.refresh_from_db()
    assert about_her.status == "sent" and about_her.to_address == agent.email
    assert not any(word in about_her.subject + about_her.body_text + about_her.body_html
                   for word in ("Zoila", "pelo"))
    queued.refresh_from_db()
    assert queued.status == "queued" and "Demorado" in queued.body_text  # another customer's: untouched
    still_queued = OutgoingEmail.objects.get(kind="new_detractor", rating=again)
    assert still_queued.status == "cancelled" and "pan duro" not in still_queued.body_text
