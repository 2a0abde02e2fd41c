"""The outbox carries staff e-mails too (SLA-3, SLA-5, SLA-6): one per kind and key, by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from notifications.models import OutgoingEmail
from notifications.services import staff_email_queue

pytestmark = pytest.mark.django_db


def _alert(merchant, user, key="rating:1:at_risk"):
    return staff_email_queue(
        merchant=merchant, kind=OutgoingEmail.Kind.SLA_AT_RISK, user=user, dedupe_key=key,
        subject="At risk", body_text="Answer soon.", body_html="<p>Answer soon.</p>",
        list_unsubscribe="https://example.com/stop/abc/",
    )


def test_a_staff_email_is_recorded_once_per_kind_and_key_SLA_3(merchant, make):
    admin = make.admin(merchant)
    with transaction.atomic():
        first = _alert(merchant, admin)
        assert _alert(merchant, admin) is None  # the caller's transaction goes on
    assert first is not None and first.to_address == admin.email and first.customer_id is None
    assert OutgoingEmail.objects.filter(kind="sla_at_risk").count() == 1
    assert _alert(merchant, admin, key="rating:2:at_risk") is not None


def test_an_email_has_exactly_one_recipient(merchant, make):
    admin = make.admin(merchant)
    customer = make.customer(merchant, "Ana Ruiz", email="ana@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(merchant=merchant, kind="digest", user=admin, customer=customer,
                                     to_address="x@example.com", subject="s", body_text="b", header_message_id="<1@x>")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(merchant=merchant, kind="digest", to_address="x@example.com", subject="s",
                                     body_text="b", header_message_id="<2@x>")


def test_a_staff_email_needs_its_key(merchant, make):
    with pytest.raises(ValueError):
        _alert(merchant, make.admin(merchant), key="")


def test_the_stop_link_works_without_login_and_only_asks_on_GET_SLA_6(merchant, make, client):
    from merchants.models import Membership
    from notifications.links import stop_url

    admin = make.admin(merchant)
    membership = Membership.objects.get(merchant=merchant, user=admin)
    url = stop_url(membership=membership, kind=OutgoingEmail.Kind.SLA_BREACHED)
    path = url.split("://", 1)[-1].partition("/")[2]
    page = client.get(f"/{path}")
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    membership.refresh_from_db()
    assert membership.notify_sla is True  # a link scanner's GET stops nothing
    # RFC 8058: the mail client posts "List-Unsubscribe=One-Click", with no CSRF token and no session.
    done = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    membership.refresh_from_db()
    assert membership.notify_sla is False and membership.notify_assigned is True
    assert client.post(f"/{path}").status_code == 200  # twice is harmless
    assert client.get(f"/{path[:-3]}xx/").status_code == 404
