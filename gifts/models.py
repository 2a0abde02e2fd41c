"""The gift catalogue, grants to customers with redemption codes, and the points ledger."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from merchants.models import TenantForeignKey, TenantModel, TenantOneToOneField

Q = models.Q


class Gift(TenantModel):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        POINTS = "points", _("Points")
        DISCOUNT = "discount", _("Discount")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    product_name = models.CharField(_("product"), max_length=120, null=True, blank=True)
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    discount_percent = models.PositiveSmallIntegerField(_("discount (%)"), null=True, blank=True)
    discount_amount = models.DecimalField(
        _("discount (amount)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    validity_days = models.PositiveIntegerField(_("validity (days)"))
    # ANA-3: the merchant's estimate of what one grant costs, in the merchant's currency.
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    is_one_off = models.BooleanField(
        default=False, help_text="Created inline while attaching; not listed in the catalogue."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="product", product_name__isnull=False, points__isnull=True,
                      discount_percent__isnull=True, discount_amount__isnull=True)
                    | Q(kind="points", product_name__isnull=True, points__isnull=False, points__gt=0,
                        discount_percent__isnull=True, discount_amount__isnull=True)
                    | Q(kind="discount", product_name__isnull=True, points__isnull=True,
                        discount_percent__isnull=False, discount_percent__gte=1, discount_percent__lte=100,
                        discount_amount__isnull=True)
                    | Q(kind="discount", product_name__isnull=True, points__isnull=True,
                        discount_percent__isnull=True, discount_amount__isnull=False, discount_amount__gt=0)
                ),
                name="gift_kind_fields_consistent",
            ),
            models.CheckConstraint(condition=Q(validity_days__gte=1), name="gift_validity_positive"),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="gift_cost_not_negative"),
            models.CheckConstraint(condition=~Q(name__regex=r"^\s*$"), name="gift_name_present"),
            models.CheckConstraint(
                condition=Q(product_name__isnull=True) | ~Q(product_name__regex=r"^\s*$"),
                name="gift_product_name_not_blank",
            ),
        ]

    def __str__(self):
        return self.name


class GiftGrant(TenantModel):
    """A gift given to a customer, usually from a rating's conversation (GFT-2, GFT-3)."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        REDEEMED = "redeemed", _("Redeemed")
        EXPIRED = "expired", _("Expired")

    gift = TenantForeignKey(Gift, on_delete=models.PROTECT, related_name="grants", db_constraint=False)
    customer = TenantForeignKey(Customer, on_delete=models.PROTECT, related_name="gift_grants",
                                 db_constraint=False)
    rating = TenantForeignKey(
        "ratings.Rating", null=True, blank=True, on_delete=models.PROTECT, related_name="gift_grants",
        db_constraint=False,
    )
    code = models.CharField(_("code"), max_length=16)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # The gift's cost when granted (ANA-3): a later change of the estimate does not rewrite what
    # the redeemed grants cost, so the funnel's kept gift cost never drifts from its grants.
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "merchant"], name="grant_code_unique"),
            models.CheckConstraint(
                condition=Q(status="redeemed", redeemed_at__isnull=False)
                | (Q(status__in=["offered", "expired"]) & Q(redeemed_at__isnull=True)),
                name="grant_redeemed_iff_redeemed_at",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("granted_at")), name="grant_expires_after_grant"),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="grant_cost_not_negative"),
            models.CheckConstraint(condition=Q(code__regex=r"^[A-HJKMNP-Z2-9]{8,16}$"), name="grant_code_alphabet"),
        ]
        indexes = [
            models.Index(fields=["merchant", "customer", "status"], name="grant_customer_status"),
            models.Index(fields=["merchant", "rating"], name="grant_rating"),
            # The grants list, newest first (API gift-grants): read in order and stop at the page,
            # instead of joining every grant of the merchant to sort them.
            models.Index(fields=["merchant", "-granted_at", "-id"], name="grant_recent"),
            models.Index(fields=["expires_at"], name="grant_offered_expiry", condition=Q(status="offered")),
        ]

    @property
    def effective_status(self) -> str:
        """Expired as soon as the expiry passes, even before the periodic job marks it (GFT-3)."""
        if self.status == self.Status.OFFERED and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status


class PointsEntry(TenantModel):
    """One movement of a customer's loyalty points (GFT-4)."""

    customer = TenantForeignKey(Customer, on_delete=models.CASCADE, related_name="points_entries",
                                 db_constraint=False)
    # One-to-one for Django; the database holds it as the (grant, merchant) constraint below
    # (the migration dropped the unique on grant_id alone, as for Rating.visit).
    grant = TenantOneToOneField(
        GiftGrant, null=True, blank=True, on_delete=models.PROTECT, related_name="points_entry",
        db_constraint=False,
    )
    points = models.IntegerField()
    balance_after = models.IntegerField()
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "merchant"], name="points_entry_one_per_grant"),
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_balance_after_not_negative"),
        ]
        indexes = [models.Index(fields=["merchant", "customer", "-created_at"], name="points_customer_recent")]
