"""Authentication by e-mail and password, refused while a login lockout holds (SEC-1)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from ratings_inbox.client_address import client_address

from .lockout import lockout_get, login_failed, login_succeeded


class LockoutModelBackend(ModelBackend):
    """Django's model backend behind the login lockout.

    The sign-in page, the admin's and the API's token exchange all call authenticate() with the
    request, so the lockout is checked and counted here once for the three. A refused or
    lockout-starting attempt leaves the Lockout on `request.login_lockout` for the caller to
    answer with (a message on the page, 429 in the API).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request) if request is not None else None
        lockout = lockout_get(username=username, address=address)
        if lockout is None:
            user = super().authenticate(request, username=username, password=password)
            if user is not None:
                login_succeeded(username=username)
                return user
            lockout = login_failed(username=username, address=address)
            if lockout is None:
                return None
        if request is not None:
            request.login_lockout = lockout
        raise PermissionDenied  # stops authenticate() at this backend, whatever the password

    async def aauthenticate(self, request, **credentials):
        # ModelBackend's own async version would skip the lockout.
        return await sync_to_async(self.authenticate)(request, **credentials)
