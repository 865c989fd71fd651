"""Schemathesis with all its checks against the trantib service: every status it answers is
in its OpenAPI document and every body matches it, for the OPD and for a kader of one
desa."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from trantib_testkit import RAPAK_LAMBUR, Producers, start_trantib

from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app
from simpul_platform.testing.stack import TEST_REPORTER_KEY
from simpul_trantib.app import create_app
from simpul_trantib.settings import TrantibSettings

pytestmark = pytest.mark.integration

# Rules that relate a body's fields to each other or to stored state, or bound a date, which
# no JSON Schema says: a fuzzer's well-formed body breaks them by chance.
RULES = (
    "not_in_future",
    "too_early",
    "too_late",
    "before_previous_step",
    "unknown_referral",
    "referral_mismatch",
    # public order: the dates of a report's steps, what a closing needs
    "before_occurrence",
    "regulation_required",
    "affected_citizens_required",
    "served_exceeds_affected",
    # Satlinmas: a member's age, schooling and appointment, a squad, a patrol's members
    "not_born",
    "before_appointment",
    "before_sk_date",
    "sk_incomplete",
    "nik_birth_date_mismatch",
    "below_min_age",
    "at_service_age",
    "below_min_education",
    "before_service_age",
    "past_extended_age",
    "outside_extension_window",
    "same_squad",
    "repeated_member",
    "nobody_present",
    "fewer_than_named",
    "not_a_serving_member",
    # fire: at least one time, in order; a close needs the fire out; APAR dates
    "time_required",
    "in_future",
    "out_of_order",
    "before_previous",
    "extinguished_required",
    "expires_before_refill",
    "coordinates_outside_indonesia",
    "coordinates_swapped",
    "coordinates_pair",
    # disasters: the area, its households and children, evacuation figures, outreach
    "several_provinsi",
    "duplicate_desa",
    "before_disaster",
    "outside_disaster_area",
    "duplicate_household",
    "duplicate_child",
    "below_evacuated",
    "exceeds_needing_evacuation",
    "too_far_ahead",
    "not_hazard_zone",
)


async def _a_replicated_posyandu(make_settings: Callable[..., Any], postgres_url: str) -> str:
    async with (
        Producers.running(make_settings) as producers,
        start_trantib(make_settings, postgres_url, producers) as service,
    ):
        return await service.known_posyandu(RAPAK_LAMBUR)


def test_the_trantib_service_answers_only_what_its_openapi_says(
    make_settings: Callable[..., Any], postgres_url: str
) -> None:
    posyandu_id = asyncio.run(_a_replicated_posyandu(make_settings, postgres_url))
    settings = make_settings(
        TrantibSettings,
        database_url=postgres_url,
        reporter_key=TEST_REPORTER_KEY,
        consumers_enabled=False,
        relay_enabled=False,
    )
    kukar = ["64.02"]
    # The OPD reaches every route; its agencies' sub-roles reach subsets of them, and a Linmas
    # member records what a kader does (their refusals are tested with each part): they would
    # only repeat these cases.
    tokens = {
        "opd": mint_token(settings, "trantib-kukar", ["opd:trantib"], kukar),
        "kader": mint_token(settings, "kader-rapak", ["kader:trantib"], [RAPAK_LAMBUR]),
    }
    report = fuzz_app(
        create_app(settings),
        tokens,
        max_examples=5,
        parameters={"posyandu_id": posyandu_id},
        state_rules=RULES,
    )
    report.assert_clean()
