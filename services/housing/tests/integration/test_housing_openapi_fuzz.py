"""Schemathesis with all its checks against the housing service: every status it answers is in
its OpenAPI document and every body matches it, for the OPD and for a kader of one desa."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from housing_testkit import RAPAK_LAMBUR, Producers, start_housing

from simpul_housing.app import create_app
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app

pytestmark = pytest.mark.integration

# Rules that relate a body's fields to each other or to stored state, which no JSON Schema
# says: a fuzzer's well-formed body breaks them by chance.
RULES = (
    # houses: coordinates as a pair inside Indonesia, households against the occupants
    "coordinates_pair",
    "coordinates_outside_indonesia",
    "coordinates_swapped",
    "fewer_than_members",
    "duplicate_kk",
    "household_required",
    "household_elsewhere",
    "household_not_in_house",
    "kk_required",
    # surveys: dates, a ground source's distance, a latrine without a bathroom, the house's own
    "not_in_future",
    "after_survey",
    "distance_required",
    "no_bathroom_no_toilet",
    "not_of_house",
    # photos: what the bytes are, which no schema of a binary body says
    "not_an_image",
    "malformed_image",
    "image_dimensions",
    "max_bytes",
    "unknown_assessment",
    # a survey team's batch and an RTLH list: items against each other and the caller's scope
    "duplicate_in_batch",
    "house_or_house_id",
    "unknown_house",
    "outside_wilayah",
    "posyandu_inactive",
    "csv_missing_column",
    "csv_duplicate_column",
    "csv_extra_fields",
    "csv_malformed",
    "csv_field_too_large",
    "csv_newline_in_field",
    "csv_quoting",
    "csv_unclosed_quote",
    "too_many_rows",
    # the RTLH pipeline: a step against the case's stored path, the house, its aid history
    "before_previous_step",
    "house_required",
    "house_unknown",
    "no_household",
    "not_living_here",
    "not_applicable",
    "referral_id_required",
    "referral_id_not_applicable",
    "referral_mismatch",
    "unknown_referral",
    "survey_required",
    "survey_or_assessment",
    "survey_too_old",
    "not_after_works",
    "land_not_eligible",
    "no_previous_aid",
    "aid_year_out_of_range",
    "proposal_year_out_of_range",
    "amount_implausible",
    # disaster housing and relocation: an SK's year against its date, a handling against the
    # class, a house against the area struck, the criteria against the deployment's list
    "planned_year_out_of_range",
    "handling_does_not_fit_damage",
    "outside_disaster_area",
    "outside_programme_area",
    "criterion_missing",
    "unknown_criterion",
)


async def _a_replicated_posyandu(make_settings: Callable[..., Any], postgres_url: str) -> str:
    """A posyandu the registry stand-in announced, once housing's replica holds it."""
    async with (
        Producers.running(make_settings) as producers,
        start_housing(make_settings, postgres_url, producers) as housing,
    ):
        return await housing.known_posyandu(RAPAK_LAMBUR)


def test_the_housing_service_answers_only_what_its_openapi_says(
    make_settings: Callable[..., Any], postgres_url: str
) -> None:
    posyandu_id = asyncio.run(_a_replicated_posyandu(make_settings, postgres_url))
    # The HTTP contract only: no consumers, and no relay polling the outbox under the fuzz.
    settings = make_settings(
        HousingSettings, database_url=postgres_url, consumers_enabled=False, relay_enabled=False
    )
    tokens = {
        "opd": mint_token(settings, "opd-kukar", ["opd:housing"], ["64.02"]),
        "kader": mint_token(settings, "kader-rapak-lambur", ["kader:housing"], [RAPAK_LAMBUR]),
    }
    report = fuzz_app(
        create_app(settings),
        tokens,
        max_examples=5,
        parameters={"posyandu_id": posyandu_id},
        state_rules=RULES,
    )
    report.assert_clean()
