"""The fuzz harness over a real service (the toy, on PostgreSQL): schemathesis' every phase
and check, with two tokens, finds nothing the OpenAPI document does not say."""

from __future__ import annotations

import pytest

from simpul_platform.auth import mint_token
from simpul_platform.testing.fuzz import fuzz_app
from toy_service import ToySettings, create_app

pytestmark = pytest.mark.integration


def test_the_toy_service_answers_only_what_its_document_says(make_settings, postgres_url):
    settings = make_settings(ToySettings, database_url=postgres_url, consumers_enabled=False)
    tokens = {
        "opd": mint_token(settings, "opd-1", ["opd:toy"], ["64"]),
        "dpmd": mint_token(settings, "dpmd-1", ["dpmd"], ["64.02"]),
    }
    report = fuzz_app(create_app(settings, with_consumer=False), tokens, max_examples=10)
    report.assert_clean()
    # createNote's 201 links to getNote: the stateful phase chained them.
    assert {"examples", "coverage", "fuzzing", "stateful"} <= report.phases, report.phases
