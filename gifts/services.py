"""Writes about gifts: the catalogue (GFT-1), grants with codes (GFT-2, GFT-3) and points (GFT-4).

Pages, the API and tasks all call these. Every function validates its input with
per-field messages before the database constraints (the last wall) could refuse it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from merchants.access import Access
from merchants.models import Merchant
from merchants.services import audit_record
from notifications.models import OutgoingEmail
from notifications.services import email_queue
from ratings import counters
from ratings.events import gift_redeemed_text, gift_sent_text
from ratings.models import Message, Rating
from ratings.services import system_message_add
from ratings_inbox import l10n
from ratings_inbox.errors import Conflict

from . import wording
from .models import Gift, GiftGrant, PointsEntry

# No look-alikes: 0/O, 1/I/L are left out (API.md "Gifts"); matches grant_code_alphabet.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
CODE_PATTERN = re.compile(r"^[A-HJKMNP-Z2-9]{8,16}$")
CODE_ATTEMPTS = 5

NAME_MAX_LENGTH = 120
VALIDITY_MAX_DAYS = 3650
POINTS_MAX = 1_000_000
AMOUNT_MAX = Decimal("999999999999.99")
GIFT_VALUE_FIELDS = ("product_name", "points", "discount_percent", "discount_amount")
GIFT_UPDATABLE_FIELDS = ("name", "validity_days", "is_active", "cost") + GIFT_VALUE_FIELDS
EXPIRE_BATCH_SIZE = 500


# --- catalogue --------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _whole_number(value, field: str, errors: dict, message: str) -> int | None:
    if isinstance(value, bool):
        errors[field] = message
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        try:
            if value == int(value):
                return int(value)
        except (ValueError, OverflowError):
            pass
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,12}\s*", value):
        return int(value)
    errors[field] = message
    return None


def _amount(value, field: str, errors: dict, message: str) -> Decimal | None:
    if isinstance(value, bool):
        errors[field] = message
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors[field] = message
        return None
    if not amount.is_finite():
        errors[field] = message
        return None
    return amount


def clean_gift_fields(
    *, name, kind, product_name=None, points=None, discount_percent=None, discount_amount=None,
    validity_days=None, cost=None,
) -> dict:
    """The gift's fields as they will be stored, or a ValidationError naming each wrong field.

    Exactly the fields of the gift's kind are given; the others must be empty (API.md).
    """
    errors: dict[str, str] = {}
    clean: dict = {"product_name": None, "points": None, "discount_percent": None, "discount_amount": None}

    name = (name or "").strip() if isinstance(name, str) or name is None else str(name)
    if not name:
        errors["name"] = _("Give the gift a name.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("Keep the name under %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}
    clean["name"] = name

    if kind not in Gift.Kind.values:
        errors["kind"] = _("Choose product, points or discount.")
    clean["kind"] = kind

    if _blank(validity_days):
        errors["validity_days"] = _("Say for how many days the gift can be redeemed.")
    else:
        days = _whole_number(validity_days, "validity_days", errors,
                             _("The validity is a whole number of days."))
        if days is not None and not 1 <= days <= VALIDITY_MAX_DAYS:
            errors["validity_days"] = _("The validity must be from 1 to %(max)s days.") % {
                "max": VALIDITY_MAX_DAYS}
        clean["validity_days"] = days

    given = {
        "product_name": not _blank(product_name),
        "points": not _blank(points),
        "discount_percent": not _blank(discount_percent),
        "discount_amount": not _blank(discount_amount),
    }
    not_for_kind = {
        "product": _("A product gift has no %(field)s; leave it empty."),
        "points": _("A points gift has no %(field)s; leave it empty."),
        "discount": _("A discount gift has no %(field)s; leave it empty."),
    }
    labels = {
        "product_name": _("product"), "points": _("points"),
        "discount_percent": _("percentage"), "discount_amount": _("amount"),
    }
    own_fields = {
        "product": {"product_name"}, "points": {"points"},
        "discount": {"discount_percent", "discount_amount"},
    }.get(kind, set())
    if kind in not_for_kind:
        for field, is_given in given.items():
            if is_given and field not in own_fields:
                errors[field] = not_for_kind[kind] % {"field": labels[field]}

    if kind == Gift.Kind.PRODUCT:
        if not given["product_name"]:
            errors["product_name"] = _("Name the product the customer gets.")
        else:
            product = str(product_name).strip()
            if len(product) > NAME_MAX_LENGTH:
                errors["product_name"] = _("Keep the product name under %(limit)s characters.") % {
                    "limit": NAME_MAX_LENGTH}
            clean["product_name"] = product
    elif kind == Gift.Kind.POINTS:
        if not given["points"]:
            errors["points"] = _("Say how many points the customer gets.")
        else:
            value = _whole_number(points, "points", errors, _("Points are a whole number."))
            if value is not None and not 1 <= value <= POINTS_MAX:
                errors["points"] = _("Points must be from 1 to %(max)s.") % {"max": f"{POINTS_MAX:,}"}
            clean["points"] = value
    elif kind == Gift.Kind.DISCOUNT:
        if given["discount_percent"] and given["discount_amount"]:
            errors["discount_amount"] = _("Give either a percentage or an amount, not both.")
        elif not given["discount_percent"] and not given["discount_amount"]:
            errors["discount_percent"] = _("Give a percentage (1–100) or a fixed amount.")
        elif given["discount_percent"]:
            value = _whole_number(discount_percent, "discount_percent", errors,
                                  _("The percentage is a whole number from 1 to 100."))
            if value is not None and not 1 <= value <= 100:
                errors["discount_percent"] = _("The percentage must be from 1 to 100.")
            clean["discount_percent"] = value
        else:
            value = _amount(discount_amount, "discount_amount", errors, _("The amount is a number."))
            if value is not None:
                if value <= 0:
                    errors["discount_amount"] = _("The amount must be more than zero.")
                elif value > AMOUNT_MAX or value != value.quantize(Decimal("0.01")):
                    errors["discount_amount"] = _("Use an amount with at most two decimals.")
                else:
                    value = value.quantize(Decimal("0.01"))
            clean["discount_amount"] = value
    clean["cost"] = None
    if not _blank(cost):
        value = _amount(cost, "cost", errors, _("The cost is a number."))
        if value is not None:
            if value < 0:
                errors["cost"] = _("The cost cannot be negative.")
            elif value > AMOUNT_MAX or value != value.quantize(Decimal("0.01")):
                errors["cost"] = _("Use an amount with at most two decimals.")
            else:
                clean["cost"] = value.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def gift_create(
    *, merchant: Merchant, actor, name: str, kind: str, product_name=None, points=None,
    discount_percent=None, discount_amount=None, validity_days, cost=None, is_active: bool = True,
    is_one_off: bool = False,
) -> Gift:
    """A gift in the catalogue (GFT-1), or a one-off created while attaching (GFT-2), with its
    optional cost (ANA-3)."""
    fields = clean_gift_fields(
        name=name, kind=kind, product_name=product_name, points=points,
        discount_percent=discount_percent, discount_amount=discount_amount, validity_days=validity_days,
        cost=cost,
    )
    gift = Gift.objects.create(merchant=merchant, is_active=bool(is_active), is_one_off=is_one_off, **fields)
    audit_record(merchant=merchant, actor=actor, action="gift.create", obj=gift,
                 data={"kind": gift.kind, "one_off": is_one_off})
    return gift


@transaction.atomic
def gift_update(*, merchant: Merchant, actor, gift: Gift, **fields) -> Gift:
    """Changes a catalogue gift, e.g. its active flag (API PATCH).

    Once a gift has been granted, what it gives (kind and value) is fixed, so a customer's
    code keeps meaning what the e-mail said; rename it, change its validity or deactivate it.
    """
    unknown = set(fields) - set(GIFT_UPDATABLE_FIELDS) - {"kind"}
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    gift = Gift.objects.select_for_update().get(merchant=merchant, pk=gift.pk)
    if gift.is_archived:
        raise ValidationError({"gift": _("This gift is archived and can no longer be changed.")})
    current = {field: getattr(gift, field) for field in ("name", "kind", "validity_days", "cost") + GIFT_VALUE_FIELDS}
    if fields.get("kind", gift.kind) != gift.kind:
        # A new kind drops the old kind's values unless they are given again.
        for field in GIFT_VALUE_FIELDS:
            current[field] = None
    if "discount_percent" in fields and not _blank(fields["discount_percent"]):
        current["discount_amount"] = None
    if "discount_amount" in fields and not _blank(fields["discount_amount"]):
        current["discount_percent"] = None
    merged = {**current, **{k: v for k, v in fields.items() if k != "is_active"}}
    clean = clean_gift_fields(**merged)
    # Compared once cleaned, so "300" from a form equals the stored 300.
    changes_value = any(clean[field] != getattr(gift, field) for field in ("kind",) + GIFT_VALUE_FIELDS)
    if changes_value and gift.grants.exists():
        raise ValidationError({"kind": _(
            "This gift has already been granted, so what it gives cannot change. "
            "Create a new gift instead."
        )})
    for field, value in clean.items():
        setattr(gift, field, value)
    if "is_active" in fields:
        gift.is_active = bool(fields["is_active"])
    gift.save()
    audit_record(merchant=merchant, actor=actor, action="gift.update", obj=gift,
                 data={"fields": sorted(fields)})
    return gift


@transaction.atomic
def gift_archive_or_delete(*, merchant: Merchant, actor, gift: Gift) -> str:
    """Removes a gift from the catalogue: archived when it was ever granted, else deleted (GFT-1).

    Returns "archived" or "deleted". The gift row is locked, as gift_grant locks it, so a
    grant made at the same moment cannot lose its gift.
    """
    gift = Gift.objects.select_for_update().get(merchant=merchant, pk=gift.pk)
    if gift.grants.exists():
        if not gift.is_archived:
            gift.is_archived = True
            gift.is_active = False
            gift.save(update_fields=["is_archived", "is_active"])
            audit_record(merchant=merchant, actor=actor, action="gift.archive", obj=gift)
        return "archived"
    audit_record(merchant=merchant, actor=actor, action="gift.delete", obj=gift, data={"name": gift.name})
    gift.delete()
    return "deleted"


# --- grants -----------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code) -> str:
    """What the customer or the till typed, as stored: case-insensitive, spaces and dashes ignored."""
    return re.sub(r"[\s-]+", "", str(code or "")).upper()


def grant_expiry(*, merchant: Merchant, granted_at: dt.datetime, validity_days: int) -> dt.datetime:
    """The end of the day, in the merchant's time zone, validity_days days after the grant's day."""
    zone = ZoneInfo(merchant.timezone)
    last_day = granted_at.astimezone(zone).date() + dt.timedelta(days=validity_days)
    return dt.datetime.combine(last_day, dt.time.max, tzinfo=zone)


def _local_moment(merchant: Merchant, moment: dt.datetime) -> str:
    with timezone.override(ZoneInfo(merchant.timezone)):
        return l10n.moment(moment)


def _local_date(merchant: Merchant, moment: dt.datetime) -> str:
    with timezone.override(ZoneInfo(merchant.timezone)):
        return l10n.day(moment)


def _other_grants(merchant: Merchant, rating_id: int, grant: GiftGrant):
    """The rating's other grants, its row locked until commit first: of two grants given or redeemed
    at once on one rating, exactly one is its first (the funnel counts a rating once, ANA-3)."""
    Rating.objects.select_for_update().filter(merchant=merchant, pk=rating_id).values_list("pk").get()
    return GiftGrant.objects.filter(merchant=merchant, rating_id=rating_id).exclude(pk=grant.pk)


@transaction.atomic
def gift_grant(
    *, merchant: Merchant, actor, rating: Rating, gift: Gift | None = None, new_gift: dict | None = None,
) -> GiftGrant:
    """Gives a gift to the customer of a rating (GFT-2, GFT-3).

    Either an active catalogue gift or a new one-off gift created inline. The grant gets an
    unguessable code, appears in the thread as a system message and is e-mailed to the
    customer (sent after commit).
    """
    if (gift is None) == (new_gift is None):
        raise ValidationError({"gift": _("Choose a gift from the catalogue or create a new one.")})
    if rating.merchant_id != merchant.pk:
        raise Http404("No such rating.")
    if gift is not None:
        gift = Gift.objects.select_for_update().filter(merchant=merchant, pk=gift.pk).first()
        if gift is None:
            raise ValidationError({"gift": _("This gift does not exist.")})
        if not gift.is_active or gift.is_archived or gift.is_one_off:
            raise ValidationError({"gift": _("This gift is not active; activate it in the catalogue first.")})
    else:
        if not isinstance(new_gift, dict):
            raise ValidationError({"new_gift": _("Describe the new gift.")})
        allowed = {"name", "kind", "validity_days", "cost"} | set(GIFT_VALUE_FIELDS)
        data = {k: v for k, v in new_gift.items() if k in allowed}
        data.setdefault("name", None)
        data.setdefault("kind", None)
        data.setdefault("validity_days", None)
        gift = gift_create(merchant=merchant, actor=actor, is_one_off=True, is_active=True, **data)

    customer = rating.customer
    granted_at = timezone.now()
    expires_at = grant_expiry(merchant=merchant, granted_at=granted_at, validity_days=gift.validity_days)
    grant = None
    for attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                grant = GiftGrant.objects.create(
                    merchant=merchant, gift=gift, customer=customer, rating=rating, code=new_code(),
                    granted_at=granted_at, expires_at=expires_at, cost=gift.cost,
                    granted_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            break
        except IntegrityError:
            # A code collision (codes are unique within the merchant): draw again.
            if attempt == CODE_ATTEMPTS - 1:
                raise

    if rating.score <= 6 and not _other_grants(merchant, rating.pk, grant).exists():
        counters.bump(rating, gift_offered=1)  # the funnel's "offered a gift" (ANA-3), once per rating

    params = wording.gift_sent_params(gift=gift, grant=grant, merchant=merchant)
    with l10n.reading(merchant.language, merchant.timezone):
        system_message_add(merchant=merchant, rating=rating, gift_grant=grant,
                           body=gift_sent_text(params),
                           event=Message.Event.GIFT_SENT, event_params=params)
    email = wording.gift_email(merchant=merchant, rating=rating, gift_sent=params)
    email_queue(
        merchant=merchant, kind=OutgoingEmail.Kind.GIFT, customer=customer, rating=rating,
        subject=email.subject, body_text=email.body_text, body_html=email.body_html,
    )
    audit_record(merchant=merchant, actor=actor, action="gift.grant", obj=grant,
                 data={"gift_id": gift.pk, "rating_id": rating.pk, "customer_id": customer.pk})
    return grant


def _redeemable(grants, *, merchant: Merchant, code: str, now: dt.datetime) -> GiftGrant:
    """The grant of `code` if it may be redeemed now; 404 for an unknown code, Conflict when used or expired."""
    normalized = normalize_code(code)
    if not CODE_PATTERN.match(normalized):
        raise Http404("No such code.")
    grant = grants.filter(merchant=merchant, code=normalized).first()
    if grant is None:
        raise Http404("No such code.")
    if grant.status == GiftGrant.Status.REDEEMED:
        raise Conflict({"code": _("This code was already redeemed on %(date)s.") % {
            "date": _local_moment(merchant, grant.redeemed_at)}})
    if grant.status == GiftGrant.Status.EXPIRED or grant.expires_at <= now:
        raise Conflict({"code": _("This code expired on %(date)s.") % {
            "date": _local_date(merchant, grant.expires_at)}})
    return grant


def grant_redeem_check(*, merchant: Merchant, code: str) -> GiftGrant:
    """What the till shows to confirm before redeeming (GFT-3): the code's grant with its gift and customer,
    refused as grant_redeem would refuse it (404 unknown, Conflict used or expired). Changes nothing."""
    return _redeemable(GiftGrant.objects.select_related("gift", "customer"), merchant=merchant, code=code,
                       now=timezone.now())


@transaction.atomic
def grant_redeem(*, merchant: Merchant, actor, code: str) -> GiftGrant:
    """Redeems a code at the till or from the thread, once (GFT-3); points are credited (GFT-4).

    The grant row is locked, so of two simultaneous redemptions the second waits, then sees
    the grant redeemed and gets a Conflict (API 409). Unknown codes are a 404.
    """
    now = timezone.now()
    grant = _redeemable(GiftGrant.objects.select_for_update(of=("self",)).select_related("gift", "rating"),
                        merchant=merchant, code=code, now=now)
    grant.status = GiftGrant.Status.REDEEMED
    grant.redeemed_at = now
    grant.redeemed_by = actor if getattr(actor, "is_authenticated", False) else None
    grant.save(update_fields=["status", "redeemed_at", "redeemed_by"])
    gift = grant.gift
    if gift.kind == Gift.Kind.POINTS:
        points_credit(merchant=merchant, customer_id=grant.customer_id, points=gift.points, grant=grant,
                      reason=_("Gift %(code)s redeemed: %(name)s") % {"code": grant.code, "name": gift.name})
    if grant.rating is not None and grant.rating.score <= 6:
        # The funnel (ANA-3): the rating's first redeemed grant, and what each one cost.
        first = not _other_grants(merchant, grant.rating_id, grant).filter(status=GiftGrant.Status.REDEEMED).exists()
        counters.bump(grant.rating, gift_redeemed=int(first),
                      gift_cost_cents=int((grant.cost or 0) * 100))
    if grant.rating is not None:
        params = wording.gift_redeemed_params(gift=gift, grant=grant)
        with l10n.reading(merchant.language, merchant.timezone):
            system_message_add(merchant=merchant, rating=grant.rating, gift_grant=grant,
                               body=gift_redeemed_text(params),
                               event=Message.Event.GIFT_REDEEMED, event_params=params)
    audit_record(merchant=merchant, actor=actor, action="gift.redeem", obj=grant,
                 data={"code": grant.code, "customer_id": grant.customer_id})
    return grant


@transaction.atomic
def points_credit(*, merchant: Merchant, customer_id: int, points: int, reason: str,
                  grant: GiftGrant | None = None) -> PointsEntry:
    """Adds points to the customer's balance and records the movement in the ledger (GFT-4)."""
    if points <= 0:
        raise ValidationError({"points": _("Points to credit must be positive.")})
    customer = Customer.objects.select_for_update().get(merchant=merchant, pk=customer_id)
    Customer.objects.filter(merchant=merchant, pk=customer.pk).update(points_balance=F("points_balance") + points)
    balance = customer.points_balance + points
    return PointsEntry.objects.create(
        merchant=merchant, customer=customer, grant=grant, points=points, balance_after=balance,
        reason=reason[:200],
    )


def grants_expire(*, access: Access, now: dt.datetime | None = None, batch_size: int = EXPIRE_BATCH_SIZE) -> int:
    """Marks one batch of the merchant's offered grants past their expiry as expired; returns
    how many (GFT-3). Rows being redeemed right now are locked and skipped; the redemption
    itself refuses an expired code.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            access.scope(GiftGrant.objects, branch=None).select_for_update(skip_locked=True)
            .filter(status=GiftGrant.Status.OFFERED, expires_at__lte=now)
            .order_by("expires_at", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return 0
        return access.scope(GiftGrant.objects, branch=None).filter(
            pk__in=ids, status=GiftGrant.Status.OFFERED).update(status=GiftGrant.Status.EXPIRED)
