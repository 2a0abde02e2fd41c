"""Login forms of the sign-in page and the admin that say when a lockout refused the attempt (SEC-1)."""

from __future__ import annotations

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from .lockout import Lockout


def lockout_message(lockout: Lockout) -> str:
    minutes = math.ceil(lockout.retry_after() / 60)
    return ngettext(
        "Too many failed attempts to log in. Try again in %(minutes)d minute.",
        "Too many failed attempts to log in. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LockoutMessageMixin:
    lockout: Lockout | None = None

    def get_invalid_login_error(self):
        self.lockout = getattr(self.request, "login_lockout", None)
        if self.lockout is None:
            return super().get_invalid_login_error()
        return ValidationError(lockout_message(self.lockout), code="locked_out")


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass
