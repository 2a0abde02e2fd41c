"""SEC-1: failed logins lock out an account (5) or an address (20) within 15 minutes, for 15 minutes,
on the sign-in page, the admin's and the API's token alike; the address is the socket's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

PASSWORD = "correct-horse-9"
START = dt.datetime(2030, 5, 6, 10, 0, tzinfo=dt.UTC)


def page_login(email, password, address="192.0.2.10", **headers):
    return Client().post("/login/", {"username": email, "password": password}, REMOTE_ADDR=address, **headers)


def admin_login(email, password, address="192.0.2.10", **headers):
    return Client().post("/admin/login/", {"username": email, "password": password, "next": "/admin/"},
                         REMOTE_ADDR=address, **headers)


def api_login(email, password, address="192.0.2.10", **headers):
    return APIClient().post("/api/v1/auth/token/", {"email": email, "password": password}, format="json",
                            REMOTE_ADDR=address, **headers)


LOCKED_MESSAGE_ES = "Demasiados intentos fallidos de iniciar sesión"

# Per path: how to log in, and what a wrong password, a success and a lockout look like.
PATHS = {
    "page": (page_login, lambda r: r.status_code == 200 and "incorrectos" in r.content.decode(),
             lambda r: r.status_code == 302,
             lambda r: r.status_code == 429 and LOCKED_MESSAGE_ES in r.content.decode()),
    "admin": (admin_login, lambda r: r.status_code == 200 and "errornote" in r.content.decode()
              and LOCKED_MESSAGE_ES not in r.content.decode(),
              lambda r: r.status_code == 302 and r["Location"] == "/admin/",
              lambda r: r.status_code == 200 and LOCKED_MESSAGE_ES in r.content.decode()),
    "api": (api_login, lambda r: r.status_code == 400,
            lambda r: r.status_code == 200 and "token" in r.json(),
            lambda r: r.status_code == 429 and "Retry-After" in r),
}


@pytest.fixture
def operator(db, django_user_model):
    """A platform operator: one account that may log in on all three paths."""
    return django_user_model.objects.create_superuser(email="ops@example.com", password=PASSWORD)


@pytest.fixture
def users(db, django_user_model):
    return [django_user_model.objects.create_user(email=f"user-{n}@example.com", password=PASSWORD)
            for n in range(6)]


@pytest.mark.parametrize("path", PATHS)
def test_five_failures_lock_the_account_even_for_the_right_password(operator, path):
    """SEC-1 on each path: four wrong passwords are plain failures; the fifth locks the account."""
    login, failed, succeeded, locked = PATHS[path]
    for _ in range(4):
        assert failed(login(operator.email, "wrong-password"))
    assert locked(login(operator.email, "wrong-password"))
    assert locked(login(operator.email, PASSWORD))


def test_one_count_for_the_three_paths_and_every_address(operator):
    """SEC-1: failures on the page, the admin and the API add up; the account is locked from anywhere."""
    page_login(operator.email, "wrong-password", address="192.0.2.1")
    page_login(operator.email, "wrong-password", address="192.0.2.2")
    admin_login(operator.email, "wrong-password", address="192.0.2.3")
    api_login(operator.email, "wrong-password", address="192.0.2.4")
    assert api_login(operator.email, "wrong-password", address="192.0.2.5").status_code == 429
    assert page_login(operator.email, PASSWORD, address="198.51.100.77").status_code == 429
    assert api_login("OPS@example.com ", PASSWORD, address="198.51.100.78").status_code == 429


def test_twenty_failures_from_one_address_lock_it_for_every_account(users):
    """SEC-1: 4 failures on each of 5 accounts (none locked by itself) lock the address; the
    twentieth already answers so."""
    statuses = [api_login(user.email, "wrong-password", address="203.0.113.5").status_code
                for user in users[:5] for _ in range(4)]
    assert statuses == [400] * 19 + [429]
    assert api_login(users[5].email, PASSWORD, address="203.0.113.5").status_code == 429
    assert page_login(users[5].email, PASSWORD, address="203.0.113.5").status_code == 429
    assert api_login(users[5].email, PASSWORD, address="203.0.113.6").status_code == 200


def test_a_spoofed_forwarded_for_does_not_change_the_address(users):
    """SEC-1: with no trusted proxy, X-Forwarded-For neither spreads failures nor escapes the lockout."""
    for n, user in enumerate(users[:5]):
        for m in range(4):
            api_login(user.email, "wrong-password", address="203.0.113.5",
                      HTTP_X_FORWARDED_FOR=f"10.{n}.{m}.1")
    assert api_login(users[5].email, PASSWORD, address="203.0.113.5",
                     HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert page_login(users[5].email, PASSWORD, address="203.0.113.5",
                      HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_behind_a_trusted_proxy_the_address_is_the_one_it_saw(users, settings):
    """SEC-1: with TRUSTED_PROXY_COUNT=1 the client is the proxy's entry, the last one of
    X-Forwarded-For; what the client wrote before it is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for n, user in enumerate(users[:5]):
        for m in range(4):
            api_login(user.email, "wrong-password", address=proxy,
                      HTTP_X_FORWARDED_FOR=f"10.{n}.{m}.1, 198.51.100.9")
    assert api_login(users[5].email, PASSWORD, address=proxy,
                     HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.9").status_code == 429
    assert api_login(users[5].email, PASSWORD, address=proxy,
                     HTTP_X_FORWARDED_FOR="198.51.100.9, 198.51.100.10").status_code == 200


def test_the_lockout_ends_after_fifteen_minutes(operator, time_machine):
    """SEC-1: the clock moves, nothing sleeps."""
    time_machine.move_to(START, tick=False)
    for _ in range(5):
        api_login(operator.email, "wrong-password")
    time_machine.move_to(START + dt.timedelta(minutes=14, seconds=59))
    refused = api_login(operator.email, PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    time_machine.move_to(START + dt.timedelta(minutes=15))
    assert api_login(operator.email, PASSWORD).status_code == 200


def test_only_failures_of_the_last_fifteen_minutes_count(operator, time_machine):
    """SEC-1: "within 15 minutes" is a sliding window, not a count since the first failure."""
    time_machine.move_to(START, tick=False)
    for _ in range(4):
        api_login(operator.email, "wrong-password")
    time_machine.move_to(START + dt.timedelta(minutes=15, seconds=1))
    assert api_login(operator.email, "wrong-password").status_code == 400
    for _ in range(3):
        assert api_login(operator.email, "wrong-password").status_code == 400
    assert api_login(operator.email, "wrong-password").status_code == 429


def test_the_api_answers_429_with_retry_after_in_json(operator, time_machine):
    """API.md "Sessions and tokens": 429 with Retry-After, whatever the password."""
    time_machine.move_to(START, tick=False)
    for _ in range(5):
        response = api_login(operator.email, "wrong-password")
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert response["Content-Type"] == "application/json" and "detail" in response.json()
    time_machine.move_to(START + dt.timedelta(minutes=5))
    refused = api_login(operator.email, PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    assert "token" not in refused.json()


def test_the_page_says_so_in_spanish_and_english(operator, time_machine):
    """SEC-1: a clear message on the sign-in page, Spanish by default, English when asked."""
    time_machine.move_to(START, tick=False)
    for _ in range(5):
        page_login(operator.email, "wrong-password")
    spanish = page_login(operator.email, PASSWORD)
    assert spanish.status_code == 429 and spanish["Retry-After"] == "900"
    assert ("Demasiados intentos fallidos de iniciar sesión. Vuelve a intentarlo en 15 minutos."
            in spanish.content.decode())
    assert "incorrectos" not in spanish.content.decode()
    english = page_login(operator.email, PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many failed attempts to log in. Try again in 15 minutes." in english.content.decode()
    time_machine.move_to(START + dt.timedelta(minutes=14, seconds=30))
    assert "Try again in 1 minute." in page_login(operator.email, PASSWORD,
                                                  HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_success_forgets_the_accounts_failures_but_not_the_addresses(users):
    """SEC-1: the owner logging in clears the account's count; the address keeps its own, or
    logging in to one's own account would reset the guesses spent on others'."""
    for _ in range(4):
        api_login(users[0].email, "wrong-password")
    assert api_login(users[0].email, PASSWORD).status_code == 200
    for _ in range(4):
        assert api_login(users[0].email, "wrong-password").status_code == 400
    for user in users[1:4]:
        for _ in range(4):
            api_login(user.email, "wrong-password")
    assert api_login(users[5].email, PASSWORD).status_code == 429



def test_the_async_authenticate_is_locked_out_too(operator):
    """SEC-1: Django's ModelBackend has an async path of its own; it goes through the lockout as well."""
    from asgiref.sync import async_to_sync
    from django.contrib.auth import aauthenticate
    from django.test import RequestFactory

    for _ in range(5):
        api_login(operator.email, "wrong-password")
    request = RequestFactory().post("/login/", REMOTE_ADDR="198.51.100.4")
    assert async_to_sync(aauthenticate)(request, username=operator.email, password=PASSWORD) is None
    assert request.login_lockout.retry_after() > 0
