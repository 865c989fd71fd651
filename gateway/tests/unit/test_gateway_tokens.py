"""The gateway's token cache: a verified token is trusted until it expires or for at most
``token_cache_s``, whichever is sooner, and a token that fails verification is never kept."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt
import pytest

from simpul_gateway.app import create_app
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.tokens import TokenCache
from simpul_platform.auth import Principal, mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

SETTINGS = GatewaySettings(
    environment="test",
    jwt_secret=TEST_JWT_SECRET,
    pseudonym_secret=TEST_PSEUDONYM_SECRET,
    registry_url="",  # every view answers at once: 503, the registry "is not deployed"
    health_url="",
    education_url="",
    social_url="",
)
DPMD = Principal("dpmd", frozenset({"dpmd"}), ("64",))


class Clocks:
    """A monotonic and a wall clock that only move when told."""

    def __init__(self, wall: float) -> None:
        self.mono, self.wall = 1000.0, wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds


def cache_with(clocks: Clocks, max_age_s: float = 60, max_entries: int = 10) -> TokenCache:
    return TokenCache(
        max_age_s, max_entries, monotonic=lambda: clocks.mono, wall=lambda: clocks.wall
    )


def token(ttl_s: float, sub: str = "dpmd") -> str:
    return mint_token(SETTINGS, sub, ["dpmd"], ["64"], ttl=timedelta(seconds=ttl_s))


def now_of(minted: str) -> float:
    return float(jwt.decode(minted, options={"verify_signature": False})["iat"])


def test_an_entry_lives_until_the_token_expires_when_that_is_sooner():
    minted = token(ttl_s=30)
    clocks = Clocks(now_of(minted))
    cache = cache_with(clocks, max_age_s=60)
    cache.put(minted, DPMD)
    clocks.advance(29)
    assert cache.get(minted) == DPMD
    clocks.advance(1)
    assert cache.get(minted) is None and len(cache) == 0


def test_an_entry_lives_at_most_max_age_so_a_key_change_is_honoured_soon():
    minted = token(ttl_s=3600)
    clocks = Clocks(now_of(minted))
    cache = cache_with(clocks, max_age_s=60)
    cache.put(minted, DPMD)
    clocks.advance(59.9)
    assert cache.get(minted) == DPMD
    clocks.advance(0.1)
    assert cache.get(minted) is None


def test_an_already_expired_token_is_not_kept():
    minted = token(ttl_s=10)
    clocks = Clocks(now_of(minted) + 11)
    cache = cache_with(clocks)
    cache.put(minted, DPMD)
    assert len(cache) == 0


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    tokens = [token(ttl_s=600, sub=f"user-{i}") for i in range(3)]
    clocks = Clocks(now_of(tokens[0]))
    cache = cache_with(clocks, max_entries=2)
    cache.put(tokens[0], DPMD)
    cache.put(tokens[1], DPMD)
    assert cache.get(tokens[0]) == DPMD  # now the most recently used
    cache.put(tokens[2], DPMD)
    assert len(cache) == 2
    assert cache.get(tokens[1]) is None and cache.get(tokens[0]) == DPMD


def test_size_zero_turns_the_cache_off():
    minted = token(ttl_s=600)
    cache = TokenCache(60, 0)
    cache.put(minted, DPMD)
    assert cache.get(minted) is None


async def progress(client: httpx.AsyncClient, bearer: str) -> int:
    response = await client.get(
        "/v1/registration-progress",
        params={"wilayah": "64.02"},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    return response.status_code


async def test_a_token_is_verified_once_and_then_served_from_the_cache(monkeypatch):
    app = create_app(SETTINGS)
    calls: list[str] = []
    verify = app.state.authenticator.authenticate

    def counting(minted: str) -> Principal:
        calls.append(minted)
        return verify(minted)

    monkeypatch.setattr(app.state.authenticator, "authenticate", counting)
    minted = token(ttl_s=600)
    async with running_app(app) as client:
        statuses = [await progress(client, minted) for _ in range(3)]
    assert statuses == [503, 503, 503]  # past auth; the registry is "not deployed"
    assert len(calls) == 1


async def test_bad_expired_and_wrong_role_tokens_are_refused_every_time():
    app = create_app(SETTINGS)
    forged = mint_token(
        SETTINGS.model_copy(update={"jwt_secret": "another-secret-0123456789abcdef0123"}),
        "dpmd",
        ["dpmd"],
        ["64"],
    )
    expired = token(ttl_s=-1)
    kader = mint_token(SETTINGS, "kader", ["kader:health"], ["64"])
    async with running_app(app) as client:
        for _ in range(2):
            assert await progress(client, forged) == 401
            assert await progress(client, expired) == 401
            assert await progress(client, kader) == 403
            assert (await client.get("/v1/registration-progress?wilayah=64")).status_code == 401
    # The kader's token is valid (its role is what is refused): the only one remembered.
    assert len(app.state.token_cache) == 1
