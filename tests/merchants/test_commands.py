"""The provisioning commands of API.md "Operations": they work and fail clearly."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F, Min
from django.utils import timezone
from rest_framework.test import APIClient

from merchants import tenancy
from merchants.models import ApiKey, Branch, Membership, MembershipBranch, Merchant
from merchants.services import api_key_hash

User = get_user_model()


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_merchant_makes_branch_principal_and_admin(db):
    run("create_merchant", "pizzeria", "--name", "Pizzería Ñam", "--admin-email", "Ana@Example.com",
        "--admin-password", "secret-123", "--timezone", "Europe/Madrid", "--currency", "eur")
    merchant = Merchant.objects.get(slug="pizzeria")
    assert (merchant.name, merchant.timezone, merchant.currency) == ("Pizzería Ñam", "Europe/Madrid", "EUR")
    with tenancy.tenant(merchant.pk):
        assert list(Branch.objects.values_list("name", flat=True)) == ["Principal"]
        membership = Membership.objects.select_related("user").get(merchant=merchant)
    assert membership.role == "admin" and membership.user.email == "ana@example.com"
    assert membership.user.check_password("secret-123")


def test_create_merchant_refuses_a_taken_slug(merchant):
    with pytest.raises(CommandError, match="taken"):
        run("create_merchant", merchant.slug, "--name", "X", "--admin-email", "x@example.com",
            "--admin-password", "secret-123")


@pytest.mark.parametrize(
    "extra, message",
    [(["--timezone", "Mars/Olympus"], "time zone"), (["--currency", "PESOS"], "ISO 4217")],
)
def test_create_merchant_explains_bad_arguments(db, extra, message):
    with pytest.raises(CommandError, match=message):
        run("create_merchant", "nuevo", "--name", "N", "--admin-email", "n@example.com",
            "--admin-password", "secret-123", *extra)
    assert not Merchant.objects.filter(slug="nuevo").exists()


def test_add_member_with_branches(make, merchant):
    branch = make.branch(merchant, "Norte")
    output = run("add_member", merchant.slug, "--email", "luis@example.com", "--password", "pw-12345",
                 "--role", "staff", "--branches", str(branch.id))
    assert "staff" in output
    with tenancy.tenant(merchant.pk):
        membership = Membership.objects.get(merchant=merchant, user__email="luis@example.com")
        assert membership.restricted_to_branches
        assert [link.branch_id for link in membership.branch_links.all()] == [branch.id]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--branches", "abc"], "numeric"),
        (["--branches", "999999"], "Unknown branch"),
    ],
)
def test_add_member_fails_clearly(merchant, args, message):
    with pytest.raises(CommandError, match=message):
        run("add_member", merchant.slug, "--email", "x@example.com", "--password", "pw-12345",
            "--role", "agent", *args)


def test_add_member_unknown_merchant(db):
    with pytest.raises(CommandError, match="No merchant"):
        run("add_member", "nope", "--email", "x@example.com", "--password", "pw", "--role", "staff")


def test_create_api_key_prints_the_key_alone_and_stores_its_hash(merchant):
    output = run("create_api_key", merchant.slug, "--name", "Caja 1")
    key = output.strip()
    assert output == key + "\n" and len(key) >= 32
    with tenancy.tenant(merchant.pk):
        stored = ApiKey.objects.get(merchant=merchant)
    assert stored.key_hash == api_key_hash(key) and key not in (stored.key_hash, stored.prefix)


OPEN = "new,open,escalated"
# The inbox views (CASE-6) as list filters: each must show rows to every demo login.
VIEWS = {
    "needs reply": {"needs_reply": "true", "ordering": "-last_activity_at"},
    "mine": {"owner": "me", "status": OPEN},
    "unassigned": {"owner": "none", "status": OPEN},
    "overdue": {"sla": "breached", "ordering": "due_at"},
    "at risk": {"sla": "at_risk", "ordering": "due_at"},
    "resolved": {"status": "resolved"},
}


def test_seed_demo_creates_two_merchants_with_the_follow_up_loop_and_prints_logins_CASE_1_6_SLA_2(db):
    """The demo shows cases at work: every state, owners who can see the branch, notes, staff
    replies in and out of time, overdue and reopened cases, and rows in every inbox view for
    admin@, agent@ and staff@ of each merchant (staff@arepa.demo sees one branch only)."""
    from accounts.services import api_token_create
    from ratings.models import CaseEvent, Message, Rating

    output = run("seed_demo", "--scale", "0.02")
    assert "admin@arepa.demo" in output and "demo1234" in output
    merchants = Merchant.objects.filter(slug__in=["la-arepa-dorada", "cafe-nunez"])
    assert merchants.count() == 2
    now = timezone.now()
    for merchant in merchants:
        with tenancy.tenant(merchant.pk):
            assert Branch.objects.count() >= 3
            ratings = Rating.objects.filter(merchant=merchant)
            assert ratings.filter(comment__isnull=False).exists()
            assert set(ratings.values_list("status", flat=True)) == {"none", "new", "open", "escalated", "resolved"}
            cases = ratings.exclude(status="none")
            assert cases.filter(first_response_at__lte=F("due_at")).exists()  # SLA met
            assert cases.filter(first_response_at__gt=F("due_at")).exists()  # SLA missed
            overdue = cases.filter(status__in=["new", "open", "escalated"], first_response_at__isnull=True,
                                   due_at__lte=now)
            assert overdue.exists()
            assert not overdue.filter(created_at__lt=now - dt.timedelta(days=8)).exists()  # recent ones
            notes = Message.objects.filter(merchant=merchant, author_kind="note")
            assert notes.exists() and CaseEvent.objects.filter(kind="note").count() == notes.count()
            assert CaseEvent.objects.filter(kind="status", from_value="resolved", to_value="open",
                                            actor__isnull=True).exists()  # reopened by the customer
            assert CaseEvent.objects.filter(at__lt=now - dt.timedelta(days=30)).exists()
            assert not Message.objects.filter(created_at__gt=now).exists()
            assert not CaseEvent.objects.filter(at__gt=now).exists()
            # DET-3: "Customer since" is never later than the customer's first visit.
            from customers.models import Customer

            assert not Customer.objects.filter(merchant=merchant).annotate(
                first_visit=Min("visits__visited_at")).filter(created_at__gt=F("first_visit")).exists()
            # ANA-3, ANA-5: the funnel tells a story, and some regulars have stopped coming.
            from analytics.selectors import AnalyticsFilters, recovery_funnel, watchlist
            from merchants.access import Access

            access = Access.system(merchant)
            today = now.date()
            funnel = recovery_funnel(access=access, filters=AnalyticsFilters(
                date_from=today - dt.timedelta(days=120), date_to=today))
            assert funnel["answered"] and funnel["gift_redeemed"] and funnel["returned"] and funnel["recovered"]
            assert funnel["gift_cost"] > 0 and funnel["cost_per_recovered"] is not None
            assert watchlist(access=access, now=now).exists()
            # ANA-4: resolved detractors asked to rate again, some recovered (9-10), some not, some waiting.
            asked = ratings.filter(score__lte=6, followup_requested_at__isnull=False)
            assert asked.filter(followup_score__gte=9).exists() and asked.filter(followup_score__lte=8).exists()
            assert asked.filter(followup_score__isnull=True).exists()
            assert not asked.filter(followup_at__gt=now).exists()
            assert funnel["rerated"] >= asked.filter(followup_score__isnull=False, created_at__date__gte=today
                                                     - dt.timedelta(days=120)).count() > 0
            owners = set(cases.exclude(owner=None).values_list("owner__email", flat=True))
            domain = "arepa.demo" if merchant.slug == "la-arepa-dorada" else "cafe.demo"
            logins = [f"{role}@{domain}" for role in ("admin", "agent", "staff")]
            assert owners == set(logins)
            for rating in cases.exclude(owner=None):  # CASE-3: only a member who sees the branch
                membership = Membership.objects.get(merchant=merchant, user_id=rating.owner_id)
                assert not membership.restricted_to_branches or MembershipBranch.objects.filter(
                    membership=membership, branch_id=rating.branch_id).exists()
            for email in logins:
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=User.objects.get(email=email))}")
                base = f"/api/v1/merchants/{merchant.slug}/ratings/"
                for view, query in VIEWS.items():
                    response = client.get(base, query)
                    assert response.status_code == 200 and response.json()["results"], (email, view)
                summary = client.get(base + "summary/").json()
                assert all(summary[count] > 0 for count in ("needs_reply", "open_cases", "unassigned_cases",
                                                            "overdue_cases", "my_cases")), (email, summary)
    assert "already" in run("seed_demo", "--if-empty")
