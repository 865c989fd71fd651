"""Schemathesis with all its checks against the health service: every status it answers is in its
OpenAPI document and every body matches it, for the OPD and for a kader of one desa."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from health_testkit import DESA, start_health

from simpul_health.app import create_app
from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app
from simpul_platform.testing.peers import RegistryPeer

pytestmark = pytest.mark.integration


async def _a_replicated_posyandu(
    make_settings: Callable[..., Any], postgres_url: str
) -> tuple[Any, RegistryPeer, str]:
    """The service's settings, the registry stand-in and a posyandu it announced, once the
    replica has it (the database keeps it for the run that follows)."""
    async with start_health(make_settings, postgres_url) as health:
        return health.settings, health.registry, await health.posyandu()


def test_the_health_service_answers_only_what_its_openapi_says(
    make_settings: Callable[..., Any], postgres_url: str
) -> None:
    settings, registry, posyandu_id = asyncio.run(
        _a_replicated_posyandu(make_settings, postgres_url)
    )
    tokens = {
        "opd": mint_token(settings, "opd-kukar", ["opd:health"], ["64.02"]),
        "kader": mint_token(settings, "kader-rapak-lambur", ["kader:health"], [DESA]),
    }
    app = create_app(settings.model_copy(update={"consumers_enabled": False}))
    registry.answer(app)  # a posyandu id the replica lacks is confirmed with the stand-in
    report = fuzz_app(
        app,
        tokens,
        max_examples=5,
        parameters={"posyandu_id": posyandu_id},
        # A target id that names no stored target; a date after the deployment's today; a NIK
        # whose birth date or sex differs from the body's (a relation between fields).
        state_rules=(
            "unknown_target",
            "not_in_future",
            "nik_birth_date_mismatch",
            "nik_sex_mismatch",
            "unknown_pregnancy",  # a pregnancy id that names no stored pregnancy
            # a newborn names its pregnancy or its posyandu: an explicit null passes the
            # schema's anyOf of required keys, not the rule
            "posyandu_required",
            # target estimates: rows against the replica, the caller's scope, the stored
            # estimates and each other; a CSV body's header and size
            "unknown_wilayah",
            "outside_wilayah",
            "overlapping_levels",
            "duplicate_row",
            "csv_missing_column",
            "csv_malformed",
            "csv_field_too_large",
            "csv_newline_in_field",
            "csv_quoting",
            "csv_unclosed_quote",
            "too_many_rows",
        ),
    )
    report.assert_clean()
