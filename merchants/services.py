"""Writes about merchants: provisioning, members, branches, integration keys, audit log."""

from __future__ import annotations

import hashlib
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import tenancy
from .models import ApiKey, AuditLog, Branch, Membership, MembershipBranch, Merchant

API_KEY_PREFIX_LENGTH = 8


def audit_record(*, merchant: Merchant, actor, action: str, obj=None, data: dict | None = None) -> AuditLog:
    return AuditLog.objects.create(
        merchant=merchant,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_label=str(actor) if actor is not None else "",
        action=action,
        object_type=obj.__class__.__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        data=data or {},
    )


def _validate_merchant_fields(*, slug: str, timezone_name: str, currency: str, language: str) -> None:
    errors = {}
    if slug != slugify(slug) or not slug:
        errors["slug"] = "Use lowercase letters, digits and hyphens."
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = f"Unknown time zone {timezone_name!r}."
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        errors["currency"] = "Use a three-letter ISO 4217 code such as COP."
    if language not in {"es", "en"}:
        errors["language"] = "Use es or en."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def merchant_create(
    *, slug: str, name: str, admin_email: str, admin_password: str,
    timezone_name: str = "America/Bogota", currency: str = "COP", language: str = "es",
) -> Merchant:
    """A merchant with its branch "Principal" and its first admin.

    Its auto-reply needs no row: until the admin saves one it is off with the default text
    (autoreply_settings_get), so opening a merchant does not reach up into autoreply.
    """
    _validate_merchant_fields(slug=slug, timezone_name=timezone_name, currency=currency, language=language)
    if Merchant.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"The slug {slug!r} is taken."})
    merchant = Merchant.objects.create(
        slug=slug, name=name, timezone=timezone_name, currency=currency, language=language
    )
    with tenancy.tenant(merchant.pk):
        Branch.objects.create(merchant=merchant, name="Principal")
        member_add(merchant=merchant, email=admin_email, password=admin_password, role=Membership.Role.ADMIN)
    return merchant


@transaction.atomic
def member_add(
    *, merchant: Merchant, email: str, password: str | None, role: str,
    branch_ids: list[int] | None = None, full_name: str = "",
) -> Membership:
    """Adds a user (created when new) to the merchant with a role and optional branches (TEN-5)."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": f"Role must be one of {', '.join(Membership.Role.values)}."})
    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        if not password:
            raise ValidationError({"password": "A password is required for a new user."})
        try:  # SEC-1: before anything is written, so a weak password changes nothing
            password_validation.validate_password(password, user=User(email=email, full_name=full_name))
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, language=merchant.language
        )
    branches = []
    if branch_ids:
        branches = list(Branch.objects.filter(merchant=merchant, id__in=branch_ids))
        missing = set(branch_ids) - {b.id for b in branches}
        if missing:
            raise ValidationError({"branches": f"Unknown branch ids: {sorted(missing)}."})
    membership, _ = Membership.objects.update_or_create(
        merchant=merchant, user=user,
        defaults={"role": role, "restricted_to_branches": bool(branches)},
    )
    MembershipBranch.objects.filter(merchant=merchant, membership=membership).delete()
    MembershipBranch.objects.bulk_create(
        [MembershipBranch(merchant=merchant, membership=membership, branch=b) for b in branches]
    )
    return membership


@transaction.atomic
def branch_create(*, merchant: Merchant, name: str, address: str = "", actor=None) -> Branch:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A branch needs a name."})
    if Branch.objects.filter(merchant=merchant, name=name).exists():
        raise ValidationError({"name": f"There is already a branch named {name!r}."})
    branch = Branch.objects.create(merchant=merchant, name=name, address=(address or "").strip())
    audit_record(merchant=merchant, actor=actor, action="branch.create", obj=branch)
    return branch


def api_key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, merchant: Merchant, name: str, actor=None) -> tuple[ApiKey, str]:
    """A new integration key; the raw key is returned once and only its hash is stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A key needs a name."})
    raw_key = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        merchant=merchant, name=name, prefix=raw_key[:API_KEY_PREFIX_LENGTH],
        key_hash=api_key_hash(raw_key), created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(merchant=merchant, actor=actor, action="api_key.create", obj=key, data={"name": name})
    return key, raw_key


@transaction.atomic
def api_key_revoke(*, merchant: Merchant, api_key: ApiKey, actor=None) -> None:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(merchant=merchant, actor=actor, action="api_key.revoke", obj=api_key)
