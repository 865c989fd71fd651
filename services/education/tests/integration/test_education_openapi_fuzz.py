"""Schemathesis with all its checks against the education service: every status it answers is
in its OpenAPI document and every body matches it, for the OPD and for a kader of one desa."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from education_testkit import RAPAK_LAMBUR, Producers, start_education

from simpul_education.app import create_app
from simpul_education.settings import EducationSettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app

pytestmark = pytest.mark.integration

# Rules that relate a body's fields to each other, to the NIK's digits or to stored state,
# which no JSON Schema says: a fuzzer's well-formed body breaks them by chance.
RULES = (
    "nik_birth_date_mismatch",
    "nik_sex_mismatch",
    "over_age",
    "not_in_future",
    "before_birth",
    "before_last_status",
    "kelas_required",
    "kelas_out_of_range",
    "kelas_not_applicable",
    "unit_required",
    "unit_not_applicable",
    # PAUD, BKB and literacy: an age against the child's birth date, a month against the
    # enrolment's, a family's children, a session's counts taken together, a range's two ends.
    "age_group_mismatch",
    "paud_age",
    "enrolled_on_outside_year",
    "before_enrolment",
    "month_in_future",
    "no_young_child_known",
    "before_joining",
    "no_participants",
    "range_reversed",
    # ATS cases: the child's age and history, the case's stored level and path, a referral
    "ats_age",
    "bpb_but_enrolled_before",
    "unknown_ats_reason",
    "not_applicable",
    "paket_mismatch",
    "paket_age",
    "no_paket_fits",
    "enrolment_path_mismatch",
    "referral_id_required",
    "referral_id_not_applicable",
    "unknown_referral",
    "referral_mismatch",
    # a CSV's cells against its header (counted, named) that a pattern cannot say
    "csv_extra_fields",
    "csv_malformed",
    "too_many_rows",
)


async def _a_replicated_posyandu(make_settings: Callable[..., Any], postgres_url: str) -> str:
    """A posyandu the registry stand-in announced, once education's replica holds it."""
    async with (
        Producers.running(make_settings) as producers,
        start_education(make_settings, postgres_url, producers) as education,
    ):
        return await education.known_posyandu(RAPAK_LAMBUR)


def test_the_education_service_answers_only_what_its_openapi_says(
    make_settings: Callable[..., Any], postgres_url: str
) -> None:
    posyandu_id = asyncio.run(_a_replicated_posyandu(make_settings, postgres_url))
    # The HTTP contract only: no consumers, and no relay polling the outbox under the fuzz.
    settings = make_settings(
        EducationSettings, database_url=postgres_url, consumers_enabled=False, relay_enabled=False
    )
    tokens = {
        "opd": mint_token(settings, "opd-kukar", ["opd:education"], ["64.02"]),
        "kader": mint_token(settings, "kader-rapak-lambur", ["kader:education"], [RAPAK_LAMBUR]),
    }
    report = fuzz_app(
        create_app(settings),
        tokens,
        max_examples=5,
        parameters={"posyandu_id": posyandu_id},
        state_rules=RULES,
    )
    report.assert_clean()
