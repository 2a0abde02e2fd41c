"""Login lockout (PRODUCT.md SEC-1): failed logins counted per account and per address.

Five failures for one account, or twenty from one address, within fifteen minutes refuse every
attempt for that account, or from that address, for fifteen minutes, the right password
included. The failure that reaches a limit is already answered as a lockout.

Each failure is a member of a Redis sorted set scored by its time, so "within fifteen minutes"
is a sliding window, and a lock is a key holding the time it ends. Times come from time.time(),
which tests move; Redis' own expiry only collects keys that can no longer matter. Accounts are
keyed by a digest of the normalised e-mail, so Redis holds no address book.

Not django-axes: axes locks when the largest of its per-parameter counters reaches one failure
limit (a callable limit is told the request, not which counter), so 5 per account and 20 per
address cannot both hold; its window restarts at every failure instead of sliding, and it does
not tell how long a lockout has left, which Retry-After needs.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings

from ratings_inbox.redis_client import redis_client

ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20
WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60


@dataclass(frozen=True)
class Lockout:
    until: float

    def retry_after(self) -> int:
        """Whole seconds until attempts are taken again (at least one)."""
        return max(1, math.ceil(self.until - time.time()))


@dataclass(frozen=True)
class _Scope:
    kind: str
    ident: str
    limit: int

    def key(self, part: str) -> str:
        digest = hashlib.sha256(self.ident.encode()).hexdigest()[:32]
        return f"{settings.CACHES['default']['KEY_PREFIX']}:lockout:{self.kind}:{digest}:{part}"


def _account(username: str) -> _Scope:
    return _Scope("account", username.strip().casefold(), ACCOUNT_FAILURES)


def _scopes(username: str | None, address: str | None) -> list[_Scope]:
    scopes = []
    if username is not None:
        scopes.append(_account(username))
    if address:
        scopes.append(_Scope("address", address, ADDRESS_FAILURES))
    return scopes


def lockout_get(*, username: str | None, address: str | None) -> Lockout | None:
    """The lockout holding for this account or this address, if any."""
    scopes = _scopes(username, address)
    if not scopes:
        return None
    ends = redis_client().mget([scope.key("until") for scope in scopes])
    until = max((float(end) for end in ends if end is not None), default=0.0)
    return Lockout(until) if until > time.time() else None


def login_failed(*, username: str | None, address: str | None) -> Lockout | None:
    """Counts a failed login; returns the lockout it starts when it reaches a limit."""
    scopes = _scopes(username, address)
    if not scopes:
        return None
    now = time.time()
    pipe = redis_client().pipeline()  # MULTI: prune, add and count as one step per scope
    for scope in scopes:
        failures = scope.key("failures")
        pipe.zremrangebyscore(failures, "-inf", now - WINDOW_SECONDS)
        pipe.zadd(failures, {f"{now!r}:{secrets.token_hex(4)}": now})
        pipe.zcard(failures)
        pipe.expire(failures, WINDOW_SECONDS)
    counts = pipe.execute()[2::4]
    reached = [scope for scope, count in zip(scopes, counts, strict=True) if count >= scope.limit]
    if not reached:
        return None
    lockout = Lockout(now + LOCKOUT_SECONDS)
    pipe = redis_client().pipeline()
    for scope in reached:
        pipe.set(scope.key("until"), repr(lockout.until), ex=LOCKOUT_SECONDS)
    pipe.execute()
    return lockout


def login_succeeded(*, username: str) -> None:
    """Forgets the account's failures: its owner knows the password. The address keeps its count,
    or logging in to one's own account would wipe the failures spent guessing others'."""
    redis_client().delete(_account(username).key("failures"))
