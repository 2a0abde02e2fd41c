"""Gift catalogue validation, grants, redemption and expiry through the services (GFT-1..4)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gifts import services
from gifts.models import Gift, GiftGrant, PointsEntry
from gifts.selectors import customer_gift_counters, gift_list, grant_list, points_ledger
from gifts.services import gift_archive_or_delete, gift_create, gift_grant, gift_update, grant_redeem
from merchants import tenancy
from merchants.access import Access
from merchants.models import AuditLog
from notifications.models import OutgoingEmail
from ratings.models import Message
from ratings_inbox.errors import Conflict

pytestmark = pytest.mark.django_db


def _create(merchant, actor, **fields):
    data = {"name": "Regalo", "validity_days": 30, **fields}
    return gift_create(merchant=merchant, actor=actor, **data)


def _errors(excinfo) -> dict:
    return {field: " ".join(messages) for field, messages in excinfo.value.message_dict.items()}


# --- GFT-1 validation, one test per kind ---------------------------------------------------

def test_gft1_product_gift_needs_a_named_product_and_nothing_else(merchant, admin):
    gift = _create(merchant, admin, kind="product", product_name="  Arepa de queso ")
    assert gift.product_name == "Arepa de queso"
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="product", product_name="")
    assert "product" in _errors(exc)["product_name"].lower()
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="product", product_name="Arepa", points=10, discount_percent=5)
    errors = _errors(exc)
    assert set(errors) == {"points", "discount_percent"}
    assert "product gift" in errors["points"]


def test_gft1_points_gift_needs_positive_whole_points(merchant, admin):
    assert _create(merchant, admin, kind="points", points="250").points == 250
    for bad in (0, -5, "abc", "2.5", True):
        with pytest.raises(ValidationError) as exc:
            _create(merchant, admin, kind="points", points=bad)
        assert "points" in _errors(exc), bad
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="points", points=100, discount_percent=10)
    assert "points gift" in _errors(exc)["discount_percent"]
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="points")
    assert "how many points" in _errors(exc)["points"]


def test_gft1_discount_gift_has_exactly_one_of_percent_or_amount(merchant, admin):
    assert _create(merchant, admin, kind="discount", discount_percent=100).discount_percent == 100
    assert _create(merchant, admin, kind="discount", discount_percent=1).discount_percent == 1
    gift = _create(merchant, admin, kind="discount", discount_amount="5000,5")
    assert gift.discount_amount == Decimal("5000.50")
    for percent in (0, 101, -1, "ten"):
        with pytest.raises(ValidationError) as exc:
            _create(merchant, admin, kind="discount", discount_percent=percent)
        assert "percentage" in _errors(exc)["discount_percent"], percent
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="discount", discount_percent=10, discount_amount="2000")
    assert "not both" in _errors(exc)["discount_amount"]
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="discount")
    assert "percentage" in _errors(exc)["discount_percent"]
    for amount in ("0", "-3", "1.234", "x"):
        with pytest.raises(ValidationError) as exc:
            _create(merchant, admin, kind="discount", discount_amount=amount)
        assert "discount_amount" in _errors(exc), amount
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="discount", discount_percent=10, product_name="Arepa")
    assert "discount gift" in _errors(exc)["product_name"]


def test_gft1_common_fields_name_kind_validity(merchant, admin):
    with pytest.raises(ValidationError) as exc:
        gift_create(merchant=merchant, actor=admin, name="  ", kind="voucher", validity_days=0)
    errors = _errors(exc)
    assert set(errors) == {"name", "kind", "validity_days"}
    assert "1 to" in errors["validity_days"]
    with pytest.raises(ValidationError) as exc:
        _create(merchant, admin, kind="points", points=5, validity_days="")
    assert "validity_days" in _errors(exc)


def test_gft1_database_constraint_is_the_last_wall(merchant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Gift.objects.create(merchant=merchant, name="x", kind="points", points=5, discount_percent=5,
                            validity_days=3)


def test_gft1_update_deactivate_and_value_locked_once_granted(merchant, admin, rating, discount_gift):
    gift_update(merchant=merchant, actor=admin, gift=discount_gift, discount_amount="3000")
    discount_gift.refresh_from_db()
    assert discount_gift.discount_amount == Decimal("3000.00") and discount_gift.discount_percent is None
    gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    with pytest.raises(ValidationError) as exc:
        gift_update(merchant=merchant, actor=admin, gift=discount_gift, discount_amount="9000")
    assert "already been granted" in _errors(exc)["kind"]
    # The same value, as a form or JSON would send it, is not a change.
    gift_update(merchant=merchant, actor=admin, gift=discount_gift, kind="discount", discount_amount="3000.00")
    gift_update(merchant=merchant, actor=admin, gift=discount_gift, is_active=False, name="Nuevo nombre")
    discount_gift.refresh_from_db()
    assert not discount_gift.is_active and discount_gift.name == "Nuevo nombre"
    assert list(gift_list(access=Access.system(merchant), active_only=True)) == []


def test_gft1_granted_gift_is_archived_not_deleted(merchant, admin, rating, discount_gift, points_gift):
    gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    assert gift_archive_or_delete(merchant=merchant, actor=admin, gift=discount_gift) == "archived"
    assert gift_archive_or_delete(merchant=merchant, actor=admin, gift=points_gift) == "deleted"
    discount_gift.refresh_from_db()
    assert discount_gift.is_archived and not discount_gift.is_active
    assert not Gift.objects.filter(pk=points_gift.pk).exists()
    assert list(gift_list(access=Access.system(merchant))) == []
    assert GiftGrant.objects.filter(gift=discount_gift).count() == 1


# --- GFT-2 attaching -----------------------------------------------------------------------

def test_gft2_attach_catalogue_gift_thread_email_audit(merchant, admin, rating, discount_gift):
    grant = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    assert grant.status == "offered" and grant.customer_id == rating.customer_id
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8,16}", grant.code)
    message = Message.objects.get(rating=rating, gift_grant=grant)
    assert message.author_kind == "system" and grant.code in message.body
    email = OutgoingEmail.objects.get(kind="gift", rating=rating)
    assert email.to_address == "ana@example.com"
    from customers.links import read_token

    # The link in the e-mail opens this rating's conversation (its token carries the signing
    # second, so it is compared by what it opens, not by its text).
    link = re.search(r"/c/([^/\s]+)/", email.body_text)
    assert grant.code in email.body_text and link is not None
    opened = read_token("conversation", link.group(1))
    assert (opened.merchant_id, opened.object_id, opened.expired) == (merchant.pk, rating.pk, False)
    assert AuditLog.objects.filter(action="gift.grant", object_id=grant.pk).exists()
    assert customer_gift_counters(access=Access.system(merchant), customer=rating.customer) == {
        "gifts_offered": 1, "gifts_redeemed": 0, "gifts_expired": 0}


def test_gft2_attach_new_one_off_gift_not_in_catalogue(merchant, agent, rating):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, new_gift={
        "name": "Café gratis", "kind": "product", "product_name": "Tinto", "validity_days": 7})
    assert grant.gift.is_one_off and grant.gift.product_name == "Tinto"
    assert list(gift_list(access=Access.system(merchant))) == []
    with pytest.raises(ValidationError) as exc:
        gift_grant(merchant=merchant, actor=agent, rating=rating, new_gift={
            "name": "Mal", "kind": "points", "discount_percent": 10, "validity_days": 7})
    assert set(_errors(exc)) == {"points", "discount_percent"}


def test_gft2_inactive_gift_cannot_be_attached(merchant, admin, rating, discount_gift):
    gift_update(merchant=merchant, actor=admin, gift=discount_gift, is_active=False)
    with pytest.raises(ValidationError) as exc:
        gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    assert "gift" in _errors(exc)
    with pytest.raises(ValidationError):
        gift_grant(merchant=merchant, actor=admin, rating=rating)


def test_gft3_codes_are_unique_and_a_collision_draws_again(merchant, admin, rating, discount_gift, monkeypatch):
    first = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    codes = iter([first.code, first.code, "ABCDEFGH2345"])
    monkeypatch.setattr(services, "new_code", lambda: next(codes))
    second = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    assert second.code == "ABCDEFGH2345"


def test_gft2_no_email_when_customer_has_no_address(make, merchant, admin, discount_gift):
    customer = make.customer(merchant, "Sin Correo", email=None)
    rating = make.rating(merchant, score=9, customer=customer)
    gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    assert not OutgoingEmail.objects.filter(rating=rating).exists()


# --- GFT-3 expiry and redemption -----------------------------------------------------------

@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Bogota"])
def test_gft3_expiry_is_end_of_day_in_merchant_zone(make, zone):
    merchant = make.merchant(timezone_name=zone)
    # 2026-03-10 20:30 UTC is already 03-11 in Kiritimati (UTC+14) and 15:30 on 03-10 in Bogotá.
    granted = dt.datetime(2026, 3, 10, 20, 30, tzinfo=dt.UTC)
    expires = services.grant_expiry(merchant=merchant, granted_at=granted, validity_days=2)
    local = expires.astimezone(dt.timezone(dt.timedelta(hours=14 if zone == "Pacific/Kiritimati" else -5)))
    assert local.date() == (dt.date(2026, 3, 13) if zone == "Pacific/Kiritimati" else dt.date(2026, 3, 12))
    assert (local.hour, local.minute, local.second) == (23, 59, 59)


def test_gft3_expired_as_soon_as_expiry_passes_before_the_job(make, admin_of, monkeypatch, acting_for):
    from django.utils import timezone

    merchant = make.merchant(timezone_name="Pacific/Kiritimati")
    acting_for(merchant)
    actor = admin_of(merchant)
    rating = make.rating(merchant, score=4)
    gift = gift_create(merchant=merchant, actor=actor, name="Tinto", kind="product", product_name="Tinto",
                       validity_days=1)
    # Granted at 09:50 UTC = 23:50 local on 03-10; valid to the end of 03-11 local = 09:59:59 UTC 03-11.
    granted = dt.datetime(2026, 3, 10, 9, 50, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: granted)
    grant = gift_grant(merchant=merchant, actor=actor, rating=rating, gift=gift)
    assert grant.expires_at == dt.datetime(2026, 3, 11, 9, 59, 59, 999999, tzinfo=dt.UTC)

    just_before = grant.expires_at - dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: just_before)
    grant.refresh_from_db()
    assert grant.effective_status == "offered"
    assert customer_gift_counters(access=Access.system(merchant), customer=rating.customer)["gifts_expired"] == 0
    assert list(grant_list(access=Access.system(merchant), status="offered")) == [grant]

    just_after = grant.expires_at + dt.timedelta(microseconds=1)
    monkeypatch.setattr(timezone, "now", lambda: just_after)
    assert grant.effective_status == "expired"
    assert GiftGrant.objects.get(pk=grant.pk).status == "offered"  # the job has not run
    assert customer_gift_counters(access=Access.system(merchant), customer=rating.customer) == {
        "gifts_offered": 1, "gifts_redeemed": 0, "gifts_expired": 1}
    assert list(grant_list(access=Access.system(merchant), status="expired")) == [grant]
    assert list(grant_list(access=Access.system(merchant), status="offered")) == []
    with pytest.raises(Conflict) as exc:
        grant_redeem(merchant=merchant, actor=actor, code=grant.code)
    assert "expired" in _errors(exc)["code"]

    assert services.grants_expire(access=Access.system(merchant), now=just_after) == 1
    assert GiftGrant.objects.get(pk=grant.pk).status == "expired"
    assert services.grants_expire(access=Access.system(merchant), now=just_after) == 0


def test_gft3_expire_job_works_in_bounded_batches(make, merchant, admin, rating, discount_gift):
    from django.utils import timezone

    grants = [gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift) for _ in range(3)]
    later = timezone.now() + dt.timedelta(days=60)
    assert services.grants_expire(access=Access.system(merchant), now=later, batch_size=2) == 2
    assert services.grants_expire(access=Access.system(merchant), now=later, batch_size=2) == 1
    assert {g.status for g in GiftGrant.objects.filter(pk__in=[g.pk for g in grants])} == {"expired"}


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])  # the sweep lists as the sweeper
def test_gft3_expire_task_runs_across_merchants(make, merchant, other_merchant, admin, rating, discount_gift,
                                               monkeypatch):
    from django.utils import timezone

    from gifts.tasks import grants_expire_sweep

    grant = gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    with tenancy.tenant(other_merchant.pk):
        theirs = make.rating(other_merchant, score=3)
        their_gift = _create(other_merchant, None, kind="product", product_name="Tinto")
        their_grant = gift_grant(merchant=other_merchant, actor=None, rating=theirs, gift=their_gift)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=60))
    assert grants_expire_sweep.run() == 2
    grant.refresh_from_db()
    assert grant.status == "expired"
    with tenancy.tenant(other_merchant.pk):
        their_grant.refresh_from_db()
    assert their_grant.status == "expired"


def test_gft3_redeem_case_insensitive_once(merchant, agent, rating, discount_gift):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=discount_gift)
    typed = f" {grant.code[:5].lower()}-{grant.code[5:].lower()} "
    redeemed = grant_redeem(merchant=merchant, actor=agent, code=typed)
    assert redeemed.pk == grant.pk and redeemed.status == "redeemed" and redeemed.redeemed_by == agent
    # Granted, then redeemed: two system messages, in the merchant's language.
    assert Message.objects.filter(rating=rating, gift_grant=grant, author_kind="system").count() == 2
    assert Message.objects.filter(rating=rating, gift_grant=grant, body__startswith="Regalo redimido").exists()
    with pytest.raises(Conflict) as exc:
        grant_redeem(merchant=merchant, actor=agent, code=grant.code)
    assert "already redeemed" in _errors(exc)["code"]
    assert customer_gift_counters(access=Access.system(merchant), customer=rating.customer) == {
        "gifts_offered": 1, "gifts_redeemed": 1, "gifts_expired": 0}
    assert AuditLog.objects.filter(action="gift.redeem", object_id=grant.pk).exists()


def test_gft3_unknown_or_other_merchants_code_is_404(make, merchant, other_merchant, rating, agent,
                                                     discount_gift):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=discount_gift)
    for code in ("ZZZZZZZZZZ", "short", "", "O0O0O0O0"):
        with pytest.raises(Http404):
            grant_redeem(merchant=merchant, actor=agent, code=code)
    with pytest.raises(Http404):
        grant_redeem(merchant=other_merchant, actor=None, code=grant.code)


# --- GFT-4 points --------------------------------------------------------------------------

def test_gft4_points_credited_on_redemption_with_ledger(merchant, agent, rating, points_gift):
    grant = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=points_gift)
    customer = rating.customer
    customer.refresh_from_db()
    assert customer.points_balance == 0  # offered, not yet redeemed
    grant_redeem(merchant=merchant, actor=agent, code=grant.code)
    second = gift_grant(merchant=merchant, actor=agent, rating=rating, gift=points_gift)
    grant_redeem(merchant=merchant, actor=agent, code=second.code)
    customer.refresh_from_db()
    assert customer.points_balance == 1000
    ledger = points_ledger(access=Access.system(merchant), customer=customer)
    assert [(e.points, e.balance_after) for e in ledger] == [(500, 1000), (500, 500)]
    assert ledger[0].grant_id == second.pk
    assert PointsEntry.objects.filter(customer=customer).count() == 2


@pytest.mark.django_db(transaction=True, databases=["default", "sweeper"])
def test_gft3_expire_task_requeues_itself_while_batches_are_full(merchant, admin, rating, discount_gift,
                                                                monkeypatch):
    from django.utils import timezone

    from gifts import tasks

    for _ in range(3):
        gift_grant(merchant=merchant, actor=admin, rating=rating, gift=discount_gift)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=60))
    requeued = []
    monkeypatch.setattr(tasks.grants_expire_sweep, "apply_async", lambda **kwargs: requeued.append(kwargs))
    assert tasks.grants_expire_sweep.run(batch_size=2) == 2
    assert requeued == [{"kwargs": {"batch_size": 2}, "countdown": 1}]
    assert tasks.grants_expire_sweep.run(batch_size=2) == 1
    assert len(requeued) == 1  # a partial batch means done
    assert tasks.grants_expire_sweep.name == "gifts.tasks.grants_expire_sweep"
