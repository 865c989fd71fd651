"""Schemathesis with all its checks against the registry: every status it answers is in its
OpenAPI document and every body matches it, for DPMD and the TP of a kecamatan."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from registry_testkit import TENGGARONG, start_registry

from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app
from simpul_registry.app import create_app
from simpul_registry.domain.fields import SpmField
from simpul_registry.settings import RegistrySettings

pytestmark = pytest.mark.integration
# Refusals of schema-valid requests that no JSON Schema can state: an end before the stored start,
# a field the posyandu (as stored) does not run, a NIK birth date that does not exist (30
# February) or lies after today, a CSV row with more fields than its header, a column named twice.
STATE_RULES = ("before_start", "field_not_run", "nik_birth_date", "not_in_future",
               "csv_extra_fields", "csv_duplicate_column")
# Posyandu days: a date the stored calendar lacks, cancels or records as not held; a
# cancellation of a recorded day; a span of dates too long; a date both one-off and cancelled;
# a period asked with a serentak day.
STATE_RULES += ("not_an_open_day", "day_cancelled", "day_not_held", "day_recorded",
                "span_too_long", "one_off_and_cancelled", "period_or_serentak_day")


async def _a_posyandu(
    make_settings: Callable[..., Any], postgres_url: str
) -> tuple[RegistrySettings, str]:
    """The registry's settings, and a posyandu of its database to pin ``posyandu_id`` to."""
    async with start_registry(make_settings, postgres_url, relay_enabled=False,
                              consumers_enabled=False) as registry:
        posyandu = await registry.create(fields=[f.value for f in SpmField])
        return registry.settings, posyandu["id"]


def test_the_registry_answers_only_what_its_openapi_says(
    make_settings: Callable[..., Any], postgres_url: str
) -> None:
    settings, posyandu_id = asyncio.run(_a_posyandu(make_settings, postgres_url))
    tokens = {
        "dpmd": mint_token(settings, "dpmd-kukar", ["dpmd"], ["64.02"]),
        "tp": mint_token(settings, "tp-tenggarong", ["tp:kecamatan"], [TENGGARONG]),
    }
    report = fuzz_app(
        create_app(settings),
        tokens,
        max_examples=5,
        parameters={"posyandu_id": posyandu_id},
        state_rules=STATE_RULES,
    )
    report.assert_clean()
