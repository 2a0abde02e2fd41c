"""The provisioning commands of API.md "Operations": they work and fail clearly."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from merchants import tenancy
from merchants.models import ApiKey, Branch, Membership, Merchant
from merchants.services import api_key_hash


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


def test_seed_demo_creates_two_merchants_and_prints_logins(db):
    output = run("seed_demo", "--scale", "0.02")
    assert "admin@arepa.demo" in output and "demo1234" in output
    from ratings.models import Rating

    merchants = Merchant.objects.filter(slug__in=["la-arepa-dorada", "cafe-nunez"])
    assert merchants.count() == 2
    for merchant in merchants:
        with tenancy.tenant(merchant.pk):
            assert Branch.objects.count() >= 3
            assert Rating.objects.filter(comment__isnull=False).exists()
    assert "already" in run("seed_demo", "--if-empty")
