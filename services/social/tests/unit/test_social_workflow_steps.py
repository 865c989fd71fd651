"""A refused step as social answers it: the platform's 409, with the field older clients read."""

from __future__ import annotations

import pytest

from simpul_platform.errors import Conflict
from simpul_social.domain.ppks import PPKS
from simpul_social.domain.usulan import USULAN
from simpul_social.ops.workflows import step

pytestmark = pytest.mark.unit


def test_an_allowed_step_gives_the_next_status() -> None:
    assert step(USULAN, None, "propose") == "proposed"
    assert step(PPKS, "assessed", "close") == "closed"


def test_a_refused_step_names_the_current_status_and_the_allowed_steps() -> None:
    with pytest.raises(Conflict) as refused:
        step(USULAN, "proposed", "validate")
    problem = refused.value.to_problem("/v1/usulan/u-1/validate")
    assert problem["status"] == 409
    assert problem["current_status"] == "proposed"
    assert problem["allowed"] == ["verify", "reject"]
    assert problem["allowed_actions"] == ["verify", "reject"]
    assert problem["allowed_transitions"] == [
        {"action": "verify", "to": "verified"},
        {"action": "reject", "to": "rejected"},
    ]


def test_a_final_status_allows_nothing() -> None:
    with pytest.raises(Conflict) as refused:
        step(PPKS, "closed", "close")
    problem = refused.value.to_problem(None)
    assert problem["allowed"] == [] and problem["allowed_actions"] == []
