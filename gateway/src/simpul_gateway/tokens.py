"""Principals of bearer tokens the gateway verified lately, so a caller's token is verified
once a minute instead of on every request.

Every view is one request per user action, each with the same token; verifying it each time
meant two hops to the thread pool per request (the platform's sync auth dependency), which
under load cost more than the views' own work. An entry lives until the token expires or for
``max_age_s``, whichever is sooner: an expired token is refused exactly as before, and a
change of signing key (or a JWKS rotation) is honoured within ``max_age_s``. The cache is
bounded; the least recently used entry goes first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import jwt

from simpul_platform.auth import Principal

Clock = Callable[[], float]


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    valid_until: float  # on the monotonic clock


class TokenCache:
    def __init__(
        self,
        max_age_s: float,
        max_entries: int,
        *,
        monotonic: Clock = time.monotonic,
        wall: Clock = time.time,
    ) -> None:
        self.max_age_s = max_age_s
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._wall = wall
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str) -> Principal | None:
        """The principal of a token verified lately and not yet expired, else None."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if self._monotonic() >= entry.valid_until:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return entry.principal

    def put(self, token: str, principal: Principal) -> None:
        """Remember a token that has just passed verification."""
        if self.max_entries <= 0 or self.max_age_s <= 0:
            return
        lifetime = min(self.max_age_s, _expires_at(token) - self._wall())
        if lifetime <= 0:
            return
        self._entries[token] = _Entry(principal, self._monotonic() + lifetime)
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def _expires_at(token: str) -> float:
    # Only called after the token passed full verification, so reading "exp" unverified is
    # reading a verified claim; verification requires "exp", so it is there.
    claims = jwt.decode(token, options={"verify_signature": False})
    return float(claims["exp"])
