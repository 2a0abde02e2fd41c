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


def test_many_staff_emails_are_one_insert_that_skips_the_duplicates_issue15_SLA_3(merchant, make):
    """staff_emails_queue: one INSERT … ON CONFLICT DO NOTHING for a merchant's e-mails (a sweep's
    alerts), no savepoint; what the constraint refuses (already recorded, or twice in the batch) is
    left out, and every row stored is what the ORM's create() would have stored."""
    from django.db import connection
    from django.forms.models import model_to_dict
    from django.test.utils import CaptureQueriesContext

    from notifications.services import staff_email_row, staff_emails_queue

    admin, agent = make.admin(merchant), make.member(merchant, "agent")
    existing = _alert(merchant, admin, key="case:1")

    def row(user, key):
        return staff_email_row(merchant=merchant, kind=OutgoingEmail.Kind.SLA_AT_RISK, user=user, dedupe_key=key,
                               subject=f"Riesgo {key} ñ", body_text="Responde pronto.\n", body_html="<p>Ya</p>",
                               list_unsubscribe="https://example.com/stop/abc/")

    rows = [row(admin, "case:1"), row(admin, "case:2"), row(agent, "case:3"), row(admin, "case:2")]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        recorded = staff_emails_queue(merchant=merchant, emails=rows, send=False)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert recorded == [rows[1], rows[2]] and all(email.pk for email in recorded)
    assert OutgoingEmail.objects.count() == 3 and OutgoingEmail.objects.get(dedupe_key="case:1") == existing
    for email in recorded:
        stored = OutgoingEmail.objects.get(pk=email.pk)
        assert model_to_dict(stored) == model_to_dict(email)
        assert (stored.status, stored.attempts, stored.created_at) == ("queued", 0, email.created_at)


def test_a_message_id_used_twice_is_an_error_not_a_skipped_email_issue15(merchant, make):
    from notifications.services import staff_email_row, staff_emails_queue

    admin = make.admin(merchant)
    first = _alert(merchant, admin, key="case:1")
    again = staff_email_row(merchant=merchant, kind=OutgoingEmail.Kind.SLA_AT_RISK, user=admin, dedupe_key="case:2",
                            subject="s", body_text="b", body_html="", list_unsubscribe="https://example.com/s/")
    again.header_message_id = first.header_message_id
    with pytest.raises(IntegrityError), transaction.atomic():
        staff_emails_queue(merchant=merchant, emails=[again], send=False)


def test_the_links_of_many_emails_are_the_url_confs_issue15(merchant):
    from notifications.staff import StaffMail, inbox_link, rating_link

    mail = StaffMail(merchant)
    for rating_id in (1, 7, 98765, 9876543210):
        assert mail.rating_link(rating_id) == rating_link(merchant, rating_id)
    assert mail.inbox_link() == inbox_link(merchant)
    assert mail.inbox_link(view="overdue", band="detractor") == inbox_link(merchant, view="overdue", band="detractor")
