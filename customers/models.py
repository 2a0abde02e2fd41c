"""A merchant's customers and their visits (purchases) with invoices."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from merchants.models import Branch, TenantForeignKey, TenantModel


class Customer(TenantModel):
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=200)
    name_key = models.CharField(max_length=200, db_collation="C", editable=False)
    email = models.EmailField(_("e-mail"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, null=True, blank=True)
    document_id = models.CharField(_("document id"), max_length=40, null=True, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    email_opt_out = models.BooleanField(_("opted out of e-mail"), default=False)
    points_balance = models.IntegerField(_("points balance"), default=0)
    created_at = models.DateTimeField(_("customer since"), default=timezone.now)
    # PRV-2: set when the personal data was erased (irreversible); the row stays for the statistics.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "external_id"], name="customer_external_id_unique",
                condition=models.Q(external_id__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(points_balance__gte=0), name="customer_points_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(full_name=""), name="customer_name_present"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "name_key", "id"], name="customer_name_key"),
            # CASE-9's exact search: e-mails are stored lower-cased (customer_upsert), so the search
            # compares with = (leakproof, usable under row-level security), never UPPER().
            models.Index(fields=["merchant", "email"], name="customer_email",
                         condition=models.Q(email__isnull=False)),
            models.Index(fields=["merchant", "phone"], name="customer_phone",
                         condition=models.Q(phone__isnull=False)),
        ]

    def __str__(self):
        return self.full_name


class CustomerNameToken(TenantModel):
    """One folded word of a customer's name: `token LIKE 'per%'` finds "Pedro Perea" (INB-4)."""

    customer = TenantForeignKey(Customer, on_delete=models.CASCADE, related_name="name_tokens",
                                 db_constraint=False)
    token = models.CharField(max_length=60, db_collation="C")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "token", "merchant"], name="customer_token_unique"),
        ]
        indexes = [
            models.Index(fields=["merchant", "token", "customer"], name="customer_token_prefix"),
        ]


class Visit(TenantModel):
    """A purchase at a branch, with its invoice (DET-4). A rating is left for a visit."""

    branch = TenantForeignKey(Branch, on_delete=models.PROTECT, related_name="visits", db_constraint=False)
    customer = TenantForeignKey(Customer, on_delete=models.PROTECT, related_name="visits", db_constraint=False)
    visited_at = models.DateTimeField(_("visited at"))
    invoice_number = models.CharField(_("invoice number"), max_length=60)
    invoice_total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "invoice_number", "merchant"],
                                    name="visit_invoice_unique"),
            models.CheckConstraint(
                condition=models.Q(invoice_total__gte=0), name="visit_total_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="visit_currency_iso"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "customer", "-visited_at", "-id"], name="visit_customer_recent"),
        ]


class InvoiceLine(TenantModel):
    visit = TenantForeignKey(Visit, on_delete=models.CASCADE, related_name="lines", db_constraint=False)
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    line_total = models.DecimalField(_("line total"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="invoice_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="invoice_line_price_not_negative"
            ),
        ]


class CustomerStats(TenantModel):
    """What the watchlist (ANA-5) and the recovery funnel (ANA-3) need of one customer, kept by
    the services that record a visit (customers.stats) and a rating (ratings.services) in the
    same transaction: the watchlist is current without reading every visit."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    visits = models.IntegerField(default=0, db_default=0)
    # What the visits' invoices add up to, in hundredths of the merchant's currency.
    spent_cents = models.BigIntegerField(default=0, db_default=0)
    last_visit_at = models.DateTimeField(null=True, blank=True)
    last_branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    db_constraint=False)
    # The median time between two consecutive visits, and when the customer counts as lapsed:
    # last visit + twice that (with 3 visits or more; null before).
    median_gap = models.DurationField(null=True, blank=True)
    lapse_at = models.DateTimeField(null=True, blank=True)
    # The latest rating (by its time), and the latest 9-10 (the funnel's "recovered").
    last_rating_id = models.BigIntegerField(null=True, blank=True)
    last_rating_at = models.DateTimeField(null=True, blank=True)
    last_score = models.PositiveSmallIntegerField(null=True, blank=True)
    last_promoter_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "customer"], name="customer_stats_unique"),
            models.CheckConstraint(condition=models.Q(visits__gte=0), name="customer_stats_visits_not_negative"),
            models.CheckConstraint(condition=models.Q(lapse_at__isnull=True) | models.Q(visits__gte=3),
                                   name="customer_stats_lapse_needs_three_visits"),
        ]
        indexes = [
            # The watchlist: the highest spenders first, the lapsed ones picked as the index is read.
            models.Index(fields=["merchant", "-spent_cents", "-id"], name="customer_stats_watch", include=["lapse_at", "last_branch", "last_visit_at"],
                         condition=models.Q(lapse_at__isnull=False)),
        ]
