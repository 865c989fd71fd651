"""Schemathesis with all its checks against the social service: every status it answers is in its
OpenAPI document and every body matches it, for the OPD and for a kader of one desa."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from social_testkit import RAPAK_LAMBUR, Producers, start_social

from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app
from simpul_social.app import create_app
from simpul_social.settings import SocialSettings

pytestmark = pytest.mark.integration


async def _a_replicated_posyandu(make_settings: Callable[..., Any], postgres_url: str) -> str:
    """A posyandu the registry stand-in announced, once social's replica holds it."""
    async with (
        Producers.running(make_settings) as producers,
        start_social(make_settings, postgres_url, producers) as social,
    ):
        return await social.known_posyandu(RAPAK_LAMBUR)


def test_the_social_service_answers_only_what_its_openapi_says(
    make_settings: Callable[..., Any], postgres_url: str
) -> None:
    posyandu_id = asyncio.run(_a_replicated_posyandu(make_settings, postgres_url))
    # The HTTP contract only: no consumers, and no relay polling the outbox under the fuzz.
    settings = make_settings(
        SocialSettings, database_url=postgres_url, consumers_enabled=False, relay_enabled=False
    )
    tokens = {
        "opd": mint_token(settings, "opd-kukar", ["opd:social"], ["64.02"]),
        "kader": mint_token(settings, "kader-rapak-lambur", ["kader:social"], [RAPAK_LAMBUR]),
    }
    report = fuzz_app(
        create_app(settings),
        tokens,
        max_examples=5,
        parameters={"posyandu_id": posyandu_id},
        # Stored ids, not shapes; a date after the deployment's today.
        state_rules=("unknown_household", "unknown_program", "not_in_future"),
    )
    report.assert_clean()
