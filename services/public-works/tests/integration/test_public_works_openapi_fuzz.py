"""Schemathesis with all its checks against the public-works service: every status it answers
is in its OpenAPI document and every body matches it, for the OPD and for a kader of one desa."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from public_works_testkit import RAPAK_LAMBUR, Producers, start_public_works

from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app
from simpul_public_works.app import create_app
from simpul_public_works.settings import PublicWorksSettings

pytestmark = pytest.mark.integration

# Rules that relate a body's fields to each other or to stored state, which no JSON Schema
# says: a fuzzer's well-formed body breaks them by chance.
RULES = (
    "not_in_future",
    "washing_source_required",
    "washing_source_bottled",
    "distance_required",
    "fetch_minutes_required",
    "toilet_type_mismatch",
    "after_survey",
    # infrastructure issues and facilities: a place inside Indonesia, dates after the last
    # step, a budget year near the step, the facility, duplicate or referral a report names
    "coordinates_outside_indonesia",
    "coordinates_swapped",
    "before_previous_step",
    "budget_year_out_of_range",
    "built_year_out_of_range",
    "unknown_facility",
    "unknown_issue",
    "duplicate_kind_mismatch",
    "unknown_referral",
    "referral_mismatch",
)


async def _a_replicated_posyandu(make_settings: Callable[..., Any], postgres_url: str) -> str:
    async with (
        Producers.running(make_settings) as producers,
        start_public_works(make_settings, postgres_url, producers) as service,
    ):
        return await service.known_posyandu(RAPAK_LAMBUR)


def test_the_public_works_service_answers_only_what_its_openapi_says(
    make_settings: Callable[..., Any], postgres_url: str
) -> None:
    posyandu_id = asyncio.run(_a_replicated_posyandu(make_settings, postgres_url))
    settings = make_settings(
        PublicWorksSettings,
        database_url=postgres_url,
        consumers_enabled=False,
        relay_enabled=False,
    )
    tokens = {
        "opd": mint_token(settings, "opd-kukar", ["opd:public_works"], ["64.02"]),
        "kader": mint_token(settings, "kader-rapak", ["kader:public_works"], [RAPAK_LAMBUR]),
    }
    report = fuzz_app(
        create_app(settings),
        tokens,
        max_examples=5,
        parameters={"posyandu_id": posyandu_id},
        state_rules=RULES,
    )
    report.assert_clean()
