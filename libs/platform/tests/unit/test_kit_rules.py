"""The platform's shared domain pieces: wilayah codes, workflows, rules, masks, clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import httpx
import pytest
from fastapi import FastAPI

from simpul_platform import clock, wilayah
from simpul_platform.domain import (
    NOT_IN_FUTURE,
    RuleViolation,
    Step,
    TransitionRefused,
    Workflow,
    not_in_future,
)
from simpul_platform.errors import install_problem_handlers
from simpul_platform.events import EventPayload
from simpul_platform.pseudonym import mask_nik
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit

Status = Literal["open", "accepted", "closed"]
Action = Literal["open", "accept", "close"]
CASES: Workflow[Status, Action] = Workflow(
    "case",
    [
        Step("open", None, "open"),
        Step("accept", "open", "accepted"),
        Step("close", "open", "closed"),
        Step("close", "accepted", "closed"),
    ],
)


def test_codes_split_a_desa_into_its_parents() -> None:
    parts = wilayah.codes("64.02.06.2012")
    assert (parts.kecamatan_code, parts.kabupaten_code, parts.provinsi_code) == (
        "64.02.06",
        "64.02",
        "64",
    )
    assert parts.as_dict()["desa_code"] == "64.02.06.2012"
    with pytest.raises(ValueError):
        wilayah.codes("64.02.06")
    assert wilayah.level("64.02") == 2 and wilayah.parent("64.02.06") == "64.02"
    assert wilayah.parent("64") is None


def test_workflow_steps_and_refusals_name_what_is_allowed() -> None:
    assert CASES.next(None, "open") == "open"
    assert CASES.next("accepted", "close") == "closed"
    assert CASES.allowed_actions("open") == ["accept", "close"]
    assert CASES.final == ("closed",)
    with pytest.raises(TransitionRefused) as refused:
        CASES.next("closed", "accept")
    details = refused.value.details()
    assert details == {"current_status": "closed", "allowed": [], "allowed_transitions": []}
    with pytest.raises(TransitionRefused) as refused:
        CASES.next("accepted", "accept")
    assert refused.value.details()["allowed_transitions"] == [{"action": "close", "to": "closed"}]
    assert "allowed: close (→ closed)" in str(refused.value)


def test_a_workflow_with_two_steps_for_one_move_is_refused() -> None:
    with pytest.raises(ValueError, match="two steps"):
        Workflow("bad", [Step("go", "a", "b"), Step("go", "a", "c")])


def test_not_in_future_uses_one_rule_code_against_the_given_today() -> None:
    not_in_future(date(2026, 12, 5), date(2026, 12, 5), "measured_on")
    with pytest.raises(RuleViolation) as broken:
        not_in_future(datetime(2026, 12, 6, 1, tzinfo=UTC), date(2026, 12, 5), "measured_on")
    assert (broken.value.field, broken.value.rule) == ("measured_on", NOT_IN_FUTURE)


def test_local_day_is_the_deployments_date() -> None:
    settings = ServiceSettings(local_timezone="Asia/Makassar")
    # 17:00 UTC on the 4th is 01:00 WITA on the 5th.
    assert clock.local_day(settings, datetime(2026, 12, 4, 17, tzinfo=UTC)) == date(2026, 12, 5)
    with pytest.raises(ValueError, match="local_timezone"):
        ServiceSettings(local_timezone="Mars/Olympus")


def test_nik_mask_keeps_region_and_last_two_digits() -> None:
    assert mask_nik("6402064107200001") == "640206********01"


class _Measured(EventPayload):
    event_type = "toy.thing.measured.v1"
    topic = "simpul.toy.v1"
    posyandu_id: str
    desa_code: str


class _Global(EventPayload):
    event_type = "toy.catalogue.changed.v1"
    topic = "simpul.toy.v1"
    key_field = None
    wilayah_field = None
    name: str


def test_event_payloads_know_their_key_and_wilayah() -> None:
    event = _Measured(posyandu_id="p-1", desa_code="64.02.06.2012")
    assert (event.envelope_key(), event.envelope_wilayah()) == ("p-1", "64.02.06.2012")
    assert (_Global(name="x").envelope_key(), _Global(name="x").envelope_wilayah()) == (None, None)


async def test_problem_handlers_answer_rule_violations_and_refusals() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/rule")
    async def rule() -> None:
        raise RuleViolation("body.height_cm", "implausible", "A 2-year-old is not 200 cm.")

    @app.get("/step")
    async def step() -> None:
        CASES.next("closed", "close")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/rule")
        refused = await client.get("/step")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "body.height_cm", "rule": "implausible", "message": "A 2-year-old is not 200 cm."}
    ]
    assert refused.status_code == 409
    assert refused.json()["current_status"] == "closed"
    assert refused.json()["allowed"] == []
