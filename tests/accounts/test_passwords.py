"""SEC-1: every new password passes Django's validators; a weak one is refused clearly and changes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from merchants import tenancy
from merchants.models import Membership, Merchant


def run(*args):
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("password, reason", [  # Django's own messages, in Spanish by default
    ("corto-1", "demasiado corta"), ("password123", "demasiado común"), ("20240917813", "completamente numérica"),
])
def test_create_merchant_refuses_a_weak_admin_password(db, password, reason):
    with pytest.raises(CommandError, match=f"password: .*{reason}"):
        run("create_merchant", "nuevo", "--name", "Nuevo", "--admin-email", "ana@example.com",
            "--admin-password", password)
    assert not Merchant.objects.filter(slug="nuevo").exists()
    assert not get_user_model().objects.filter(email="ana@example.com").exists()


def test_add_member_refuses_a_password_like_the_email(merchant):
    with pytest.raises(CommandError, match="password: .*demasiado similar"):
        run("add_member", merchant.slug, "--email", "mariana.quintero@example.com",
            "--password", "mariana.quintero", "--role", "staff")
    assert not get_user_model().objects.filter(email="mariana.quintero@example.com").exists()


def test_member_add_reports_every_weak_point_under_password(merchant):
    from merchants.services import member_add

    with tenancy.tenant(merchant.pk), translation.override("en"), pytest.raises(ValidationError) as caught:
        member_add(merchant=merchant, email="luis@example.com", password="1234", role="staff")
    messages = caught.value.message_dict["password"]
    assert any("too short" in m for m in messages) and any("entirely numeric" in m for m in messages)
    with tenancy.tenant(merchant.pk):
        assert not Membership.objects.filter(merchant=merchant, user__email="luis@example.com").exists()


def test_an_existing_user_joins_without_a_new_password(make, merchant, other_merchant):
    """Validation is for new passwords: adding an existing user sets none."""
    from merchants.services import member_add

    user = make.member(merchant)
    with tenancy.tenant(other_merchant.pk):
        membership = member_add(merchant=other_merchant, email=user.email, password=None, role="agent")
    assert membership.user == user


def test_the_admin_refuses_a_weak_password_for_a_new_user(db, client, django_user_model):
    operator = django_user_model.objects.create_superuser(email="ops@example.com", password="correct-horse-9")
    client.force_login(operator)
    response = client.post("/admin/accounts/user/add/", {
        "email": "nuevo@example.com", "password1": "12345678", "password2": "12345678", "usable_password": "true",
    })
    assert response.status_code == 200 and "Esta contraseña es demasiado común." in response.content.decode()
    assert not django_user_model.objects.filter(email="nuevo@example.com").exists()
