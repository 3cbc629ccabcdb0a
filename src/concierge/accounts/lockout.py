"""Lock-out after failed sign-ins, kept in the cache (Redis with REDIS_URL, else local memory).

Two limits, both keyed by the login as typed, so an address that belongs to nobody is treated
exactly like a real one (the answer never tells whether an account exists):

- LOCKOUT_ACCOUNT_ADDRESS_FAILURES failures for one account from one address start a cool-off
  of LOCKOUT_COOL_OFF seconds for that account from that address;
- LOCKOUT_ACCOUNT_FAILURES_PER_HOUR failures for one account from any address block it for the
  rest of the hour (a distributed guess at one person's password).

There is deliberately no limit per address alone: a whole office behind one NAT address must
not be locked out because a few people mistype, or because someone guesses at other accounts.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

_HOUR = 3600


def _digest(login: str) -> str:
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]


def _keys(login: str, ip: str) -> tuple[str, str, str]:
    account = _digest(login)
    window = int(time.time()) // _HOUR
    return (f"lockout:pair:{account}:{ip}", f"lockout:pair-locked:{account}:{ip}",
            f"lockout:account:{account}:{window}")


def _increment(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def lockout_is_locked(*, login: str, ip: str) -> bool:
    """Whether sign-in for ``login`` from ``ip`` is refused right now."""
    _pair, pair_locked, account = _keys(login, ip)
    found = cache.get_many([pair_locked, account])
    return pair_locked in found or \
        found.get(account, 0) >= settings.LOCKOUT_ACCOUNT_FAILURES_PER_HOUR


def lockout_record_failure(*, login: str, ip: str) -> bool:
    """Count a failed sign-in; returns True when this failure started a lock-out."""
    pair, pair_locked, account = _keys(login, ip)
    pair_failures = _increment(pair, settings.LOCKOUT_COOL_OFF)
    account_failures = _increment(account, _HOUR)
    locked = False
    if pair_failures >= settings.LOCKOUT_ACCOUNT_ADDRESS_FAILURES:
        cache.set(pair_locked, True, settings.LOCKOUT_COOL_OFF)
        cache.delete(pair)
        locked = True
    return locked or account_failures == settings.LOCKOUT_ACCOUNT_FAILURES_PER_HOUR


def lockout_record_success(*, login: str, ip: str) -> None:
    """A correct password forgives this address's earlier typos (not the hourly count)."""
    pair, _pair_locked, _account = _keys(login, ip)
    cache.delete(pair)
