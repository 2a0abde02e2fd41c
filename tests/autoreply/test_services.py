"""AR-1..5 through the services: settings, preview, and the AR-3 decision on arrival and at due time."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from autoreply.models import AutoReplySettings
from autoreply.selectors import autoreply_settings_get
from autoreply.services import (
    autoreply_preview,
    autoreply_send_due,
    autoreply_set_enabled,
    autoreply_settings_update,
)
from autoreply.tasks import autoreply_sweep
from customers.services import customer_opt_out
from merchants import tenancy
from merchants.access import Access
from notifications.models import OutgoingEmail
from ratings.models import Message, Rating
from ratings.selectors import rating_summary
from ratings.services import customer_message_add, rating_reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Nothing leaves for a real broker from these tests (on-commit hooks do not run here)."""
    import autoreply.tasks

    requeued = []
    monkeypatch.setattr(autoreply.tasks, "requeue", requeued.append)
    return requeued


@pytest.fixture
def on(merchant):
    autoreply_settings_update(merchant=merchant, enabled=True, delay_minutes=30)
    return merchant


def _silent(make, merchant, score=4, **kwargs):
    kwargs.setdefault("customer", make.customer(merchant, "Ana María Ruiz", email="ana@example.com"))
    return make.rating(merchant, score=score, **kwargs)


def _later(rating, minutes=31):
    return rating.autoreply_due_at + dt.timedelta(minutes=minutes - 30)


# --- AR-1 settings -------------------------------------------------------------------

def test_new_merchant_starts_off_with_default_text_in_its_language_ar1(make):
    spanish, english = make.merchant(language="es"), make.merchant(language="en")
    with tenancy.tenant(spanish.pk):
        es = autoreply_settings_get(access=Access.system(spanish))
    with tenancy.tenant(english.pk):
        en = autoreply_settings_get(access=Access.system(english))
    assert not es.enabled and es.delay_minutes == 0 and "Hola {first_name}" in es.body
    assert not en.enabled and "Hi {first_name}" in en.body


@pytest.mark.parametrize("delay", [-1, 1441, "abc", "", "1.5"])
def test_delay_out_of_range_is_refused_ar1(merchant, delay):
    with pytest.raises(ValidationError) as exc:
        autoreply_settings_update(merchant=merchant, subject="Hola", body="Cuerpo", delay_minutes=delay)
    assert "delay_minutes" in exc.value.message_dict


@pytest.mark.parametrize("delay", [0, 1440, "15"])
def test_delay_bounds_accepted_ar1(merchant, delay):
    row = autoreply_settings_update(merchant=merchant, subject="Hola", body="Cuerpo", delay_minutes=delay)
    assert row.delay_minutes == int(delay)


def test_unknown_placeholders_refused_on_subject_and_body_naming_them_ar2(merchant):
    with pytest.raises(ValidationError) as exc:
        autoreply_settings_update(merchant=merchant, subject="Hola {nombre}", body="x } y", delay_minutes=0)
    errors = exc.value.message_dict
    assert "{nombre}" in errors["subject"][0]
    assert "}" in errors["body"][0]
    assert not AutoReplySettings.objects.filter(merchant=merchant, subject="Hola {nombre}").exists()


def test_switch_keeps_the_text_ar1(merchant):
    autoreply_settings_update(merchant=merchant, subject="Asunto {first_name}", body="Cuerpo {{x}}", delay_minutes=5)
    autoreply_set_enabled(merchant=merchant, enabled=True)
    row = autoreply_set_enabled(merchant=merchant, enabled=False)
    row = autoreply_set_enabled(merchant=merchant, enabled=True)
    row.refresh_from_db()
    assert (row.enabled, row.subject, row.body, row.delay_minutes) == (True, "Asunto {first_name}", "Cuerpo {{x}}", 5)


def test_preview_fills_a_sample_rating_ar2(merchant):
    preview = autoreply_preview(merchant=merchant, subject="{first_name}, {{hola}}",
                                body="{full_name} {merchant} {branch} {score} {visit_date}")
    assert preview["subject"] == "María, {hola}"
    assert preview["body"].startswith("María Fernanda Gómez La Arepa Dorada Principal 4 ")
    with pytest.raises(ValidationError):
        autoreply_preview(merchant=merchant, subject="{x}", body="ok")


# --- AR-3 on arrival -------------------------------------------------------------------

def test_eligible_rating_gets_a_due_time_ar3(make, on):
    rating = _silent(make, on, score=6)
    assert rating.autoreply_due_at == rating.created_at + dt.timedelta(minutes=30)


@pytest.mark.parametrize("case", ["score_7", "comment", "no_email", "opted_out", "off"])
def test_not_eligible_on_arrival_ar3(make, on, case):
    customer = make.customer(on, "Luis", email=None if case == "no_email" else "luis@example.com")
    if case == "opted_out":
        customer_opt_out(merchant=on, customer=customer)
    if case == "off":
        autoreply_set_enabled(merchant=on, enabled=False)
    rating = make.rating(on, score=7 if case == "score_7" else 2, comment="Lento" if case == "comment" else None,
                         customer=customer)
    assert rating.autoreply_due_at is None


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])  # the sweep lists as the sweeper
def test_turning_on_does_not_write_to_earlier_ratings_ar3(make, merchant):
    before = _silent(make, merchant)
    autoreply_settings_update(merchant=merchant, enabled=True, delay_minutes=0)
    assert autoreply_sweep() == 0
    before.refresh_from_db()
    assert before.autoreply_due_at is None and before.messages_count == 0
    assert not OutgoingEmail.objects.exists()


# --- AR-3 at due time, AR-5 ---------------------------------------------------------

def test_due_and_still_eligible_sends_once_with_thread_entry_ar3_ar5(make, on):
    rating = _silent(make, on)
    assert autoreply_send_due(merchant=on, rating_id=rating.pk, now=_later(rating, 10)) == "early"
    assert autoreply_send_due(merchant=on, rating_id=rating.pk, now=_later(rating)) == "sent"
    assert autoreply_send_due(merchant=on, rating_id=rating.pk, now=_later(rating)) == "not_due"
    rating.refresh_from_db()
    assert rating.autoreply_due_at is None and rating.replies_count == 1 and rating.messages_count == 1
    message = Message.objects.get(rating=rating)
    assert message.author_kind == "auto_reply" and message.body.startswith("Hola Ana:")
    email = OutgoingEmail.objects.get(rating=rating)
    assert (email.kind, email.status, email.message_id, email.to_address) == (
        "auto_reply", "queued", message.pk, "ana@example.com")
    assert email.subject == "Ana, ¿qué pasó en tu visita a La Arepa Dorada?"
    assert "/c/" in email.body_text and "/u/" in email.body_text and "/c/" in email.body_html
    assert rating_summary(access=Access.system(on))["replies_sent"] == 1


@pytest.mark.parametrize("change, reason", [
    ("turned_off", "turned_off"), ("customer_commented", "commented"), ("staff_replied", "replied"),
    ("opted_out", "opted_out"), ("email_removed", "no_email"),
])
def test_not_sent_when_no_longer_eligible_at_due_time_ar3(make, on, change, reason):
    rating = _silent(make, on)
    if change == "turned_off":
        autoreply_set_enabled(merchant=on, enabled=False)
    elif change == "customer_commented":
        customer_message_add(merchant=on, rating=rating, body="Estaba frío")
    elif change == "staff_replied":
        rating_reply(merchant=on, rating=rating, author=make.admin(on), body="¿Qué pasó?")
    elif change == "opted_out":
        customer_opt_out(merchant=on, customer=rating.customer)
    elif change == "email_removed":
        type(rating.customer).objects.filter(pk=rating.customer_id).update(email=None)
    rating = Rating.objects.get(pk=rating.pk)
    assert autoreply_send_due(merchant=on, rating_id=rating.pk, now=_later(rating)) == f"skipped:{reason}"
    assert not OutgoingEmail.objects.filter(kind="auto_reply").exists()
    assert not Message.objects.filter(author_kind="auto_reply").exists()
    assert Rating.objects.get(pk=rating.pk).autoreply_due_at is None


def test_database_allows_one_auto_reply_per_rating_ar4(make, on):
    rating = _silent(make, on)
    assert autoreply_send_due(merchant=on, rating_id=rating.pk, now=_later(rating)) == "sent"
    # as if a second worker had decided from a stale read: the unique constraint wins
    Rating.objects.filter(pk=rating.pk).update(autoreply_due_at=timezone.now() - dt.timedelta(minutes=1))
    Message.objects.filter(rating=rating).delete()
    Rating.objects.filter(pk=rating.pk).update(replies_count=0, messages_count=0)
    assert autoreply_send_due(merchant=on, rating_id=rating.pk) == "already_sent"
    assert OutgoingEmail.objects.filter(rating=rating).count() == 1
    assert not Message.objects.filter(rating=rating).exists()  # the message was rolled back with it


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
def test_sweep_decides_due_ratings_across_merchants_in_batches_ar4(make, on, other_merchant):
    with tenancy.tenant(other_merchant.pk):
        autoreply_settings_update(merchant=other_merchant, enabled=True, delay_minutes=0)
    past = timezone.now() - dt.timedelta(hours=2)
    ours = [_silent(make, on, customer=make.customer(on, f"C{i}", email=f"c{i}@example.com"), created_at=past)
            for i in range(3)]
    theirs = _silent(make, other_merchant, customer=make.customer(other_merchant, "O", email="o@example.com"),
                     created_at=past)
    assert autoreply_sweep(batch_size=2) == 2
    assert autoreply_sweep(batch_size=2) == 2
    assert autoreply_sweep(batch_size=2) == 0
    for rating in [*ours, theirs]:
        with tenancy.tenant(rating.merchant_id):
            assert OutgoingEmail.objects.get(rating=rating).merchant_id == rating.merchant_id


def test_long_delays_hop_within_the_broker_visibility_timeout_ar4(monkeypatch, settings):
    """A task held past Redis' visibility timeout would be delivered again every timeout."""
    import autoreply.tasks

    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    calls = []
    monkeypatch.setattr(autoreply.tasks.autoreply_decide, "apply_async", lambda **kw: calls.append(kw))
    now = timezone.now()
    autoreply.tasks.enqueue_autoreply(1, 2, now + dt.timedelta(hours=24))
    autoreply.tasks.enqueue_autoreply(1, 2, now + dt.timedelta(minutes=2))
    assert now + dt.timedelta(seconds=299) <= calls[0]["eta"] <= timezone.now() + dt.timedelta(seconds=300)
    assert calls[1]["eta"] == now + dt.timedelta(minutes=2)
    assert calls[0]["args"] == [1, 2]


def test_broker_down_is_swallowed_ar4(monkeypatch):
    import autoreply.tasks

    def down(**kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(autoreply.tasks.autoreply_decide, "apply_async", down)
    autoreply.tasks.enqueue_autoreply(1, 2, timezone.now())  # no exception: the sweep recovers
