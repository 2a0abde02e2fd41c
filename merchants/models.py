"""Merchants (the tenants), their branches, members, integration keys and audit log."""

from django.conf import settings
from django.db import models
from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Merchant(models.Model):
    """The tenant. Not itself under row-level security: its slug is public in URLs."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Bogota")
    currency = models.CharField(_("currency"), max_length=3, default="COP")
    language = models.CharField(_("language"), max_length=2, default="es")
    # PRV-3: customers with no visit for this many months are erased daily; None is off.
    erase_after_months = models.PositiveSmallIntegerField(_("erase after (months)"), null=True, blank=True)
    # SLA-1: a case is due this many hours of open time after it opened; opening_hours (null:
    # always open) is per weekday a list of ["HH:MM", "HH:MM"] in `timezone` (merchants.hours).
    first_response_hours = models.PositiveSmallIntegerField(_("first-response target (hours)"), default=24,
                                                            db_default=24)
    opening_hours = models.JSONField(_("opening hours"), null=True, blank=True)
    # ANA: ask the customer for a follow-up score when a case is resolved.
    followup_on_resolve = models.BooleanField(_("follow-up on resolve"), default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="merchant_currency_iso"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=["es", "en"]), name="merchant_language_known"
            ),
            models.CheckConstraint(
                condition=models.Q(erase_after_months__isnull=True)
                | models.Q(erase_after_months__gte=6, erase_after_months__lte=120),
                name="merchant_erase_after_months_range",
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_hours__gte=1, first_response_hours__lte=720),
                name="merchant_first_response_hours_range",
            ),
        ]

    def __str__(self):
        return self.name


class MerchantKey(models.ForeignKey):
    """merchant_id of a tenant row: the distribution column on Citus (SCALE-2).

    Having a placeholder of its own, it keeps Django from writing a bulk insert as
    INSERT … SELECT FROM unnest(…), which Citus pulls to the coordinator: the rows go as
    VALUES, which Citus sends to the merchant's shard. The migrations see a plain ForeignKey.
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs


class SameMerchantRelated(ReverseManyToOneDescriptor):
    """row.children of a tenant row reads the children by (merchant_id, parent id)."""

    @cached_property
    def related_manager_cls(self):
        manager = super().related_manager_cls

        class SameMerchantManager(manager):
            def __init__(self, instance):
                super().__init__(instance)
                self.core_filters = {**self.core_filters, "merchant_id": instance.merchant_id}

        return SameMerchantManager


class SameMerchantJoin:
    """A reference from one tenant row to another (SCALE-2): joins on (merchant_id, id).

    The database checks such a reference with a composite key (the field says db_constraint=False);
    every join the ORM writes for it, select_related and filters across it either way, also names
    the merchant: `ON b.id = a.b_id AND b.merchant_id = a.merchant_id`. On Citus that is a join on
    the distribution column, which stays on the merchant's shard. The migrations see a plain field.
    """

    def get_extra_restriction(self, alias, related_alias):
        from django.db.models.expressions import Col
        from django.db.models.lookups import Exact

        return Exact(Col(alias, self.related_model._meta.get_field("merchant")),
                     Col(related_alias, self.model._meta.get_field("merchant")))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, f"django.db.models.{self.plain}", args, kwargs


class TenantForeignKey(SameMerchantJoin, models.ForeignKey):
    plain = "ForeignKey"
    related_accessor_class = SameMerchantRelated


class TenantOneToOneField(SameMerchantJoin, models.OneToOneField):
    plain = "OneToOneField"


class TenantModel(models.Model):
    """A row owned by one merchant: merchant_id is on the row itself (TEN-1).

    The tables are distributable by merchant (SCALE-2): in the database the primary key is
    (id, merchant_id), every unique constraint includes merchant_id, and a reference to another
    tenant row is checked by a composite key (merchant_id, x) -> (merchant_id, id), added by
    the migrations. Such a ForeignKey therefore says db_constraint=False: Django's one-column
    constraint would need id alone to be unique. A migration that creates a tenant model ends
    with merchants.distributable.TenantPrimaryKeys() (and EnableRowLevelSecurity);
    tests/models/test_distributable_schema.py checks the catalog.
    """

    merchant = MerchantKey(Merchant, on_delete=models.CASCADE, related_name="+")

    # On Citus (manage.py distribute) the table is sharded by merchant_id, co-located with the
    # other tenant tables. False: a small table read before a merchant is chosen (by user, by key
    # prefix), kept whole on every node as a reference table instead.
    distributed = True

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        """save() of a stored row names its merchant and leaves merchant_id alone (SCALE-2): on Citus
        the UPDATE then goes to the merchant's shard alone, and a distribution column is never
        rewritten, not even to its own value."""
        values = [value for value in values if value[0].attname != "merchant_id"]
        return super()._do_update(base_qs.filter(merchant_id=self.merchant_id), using, pk_val, values,
                                  update_fields, forced_update)


class Branch(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "name"], name="branch_name_unique"),
        ]
        indexes = [models.Index(fields=["merchant", "id"], name="branch_merchant_id")]

    def __str__(self):
        return self.name


class NewDetractorNotice(models.TextChoices):
    OFF = "off", _("Not at all")
    INSTANT = "instant", _("An e-mail at once")
    DIGEST = "digest", _("In the daily digest")


class Membership(TenantModel):
    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        AGENT = "agent", _("Agent")
        ADMIN = "admin", _("Admin")

    RANK = {Role.STAFF: 1, Role.AGENT: 2, Role.ADMIN: 3}
    distributed = False  # a user's merchants are listed before one is chosen (TEN-2, token auth)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    restricted_to_branches = models.BooleanField(
        _("limited to some branches"), default=False,
        help_text=_("When set, the member only sees the branches listed for the membership."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What the member wants to hear by e-mail from this merchant (SLA-4, SLA-5; API …/me/notifications/).
    notify_new_detractor = models.CharField(
        _("new detractors"), max_length=8, choices=NewDetractorNotice.choices, default=NewDetractorNotice.DIGEST)
    digest_hour = models.PositiveSmallIntegerField(_("digest hour"), default=8)
    notify_assigned = models.BooleanField(_("assignment e-mails"), default=True)
    notify_sla = models.BooleanField(_("response-target alerts"), default=True)
    # The member's local date whose digest was dealt with (sent, or nothing to say): written by
    # alerts.services only, so the digest sweep skips those already done today (SLA-5).
    digest_done_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["digest_done_on"], name="membership_digest_due",
                         condition=models.Q(notify_new_detractor="digest")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["staff", "agent", "admin"]), name="membership_role_known"
            ),
            models.CheckConstraint(condition=models.Q(notify_new_detractor__in=["off", "instant", "digest"]),
                                   name="membership_new_detractor_known"),
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="membership_digest_hour_range"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.merchant_id} ({self.role})"

    def has_role(self, role: str) -> bool:
        return self.RANK[self.role] >= self.RANK[role]


class MembershipBranch(TenantModel):
    """The branches a restricted membership may see (TEN-5)."""

    membership = TenantForeignKey(Membership, on_delete=models.CASCADE, related_name="branch_links",
                                   db_constraint=False)
    branch = TenantForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "branch", "merchant"],
                                    name="membership_branch_unique"),
        ]

    def __str__(self):
        return f"{self.membership_id} -> {self.branch_id}"


class ApiKey(TenantModel):
    """A merchant's integration key. Only a SHA-256 of the key is stored; it is shown once."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    distributed = False  # found by its prefix before its merchant is known (API-2)

    class Meta:
        constraints = [
            # prefix first: a key is looked up by its prefix before the merchant is known.
            models.UniqueConstraint(fields=["prefix", "merchant"], name="api_key_prefix_unique"),
            models.UniqueConstraint(fields=["key_hash", "merchant"], name="api_key_hash_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class AuditLog(TenantModel):
    """Who changed what, when (PRODUCT.md §10). Written by services, never updated."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "-created_at"], name="audit_merchant_recent")]

    def __str__(self):
        return f"{self.action} {self.object_type}#{self.object_id}"
