"""The demo's statuses by age: PAUD less common and dropping out more common in lokus desa,
every planned status one the service accepts, last year's status on the way to today's; every
ATS case's planned end a path the workflow takes, all of them together every state."""

from __future__ import annotations

import random

import pytest

from simpul_education.demo import LOKUS_DESA, OTHER_DESA, current_status, previous_status
from simpul_education.demo_cases import ATS_ENDS, _plan
from simpul_education.domain.ats import ATS
from simpul_education.domain.status import StatusEntry, check_entry

pytestmark = pytest.mark.unit


def share(age: int, chances, statuses: set[str], draws: int = 4000) -> float:
    rng = random.Random(7)
    return sum(current_status(age, rng, chances)[0] in statuses for _ in range(draws)) / draws


def test_paud_is_less_common_and_dropping_out_more_common_in_lokus_desa():
    assert share(5, LOKUS_DESA, {"paud"}) < share(5, OTHER_DESA, {"paud"}) - 0.2
    assert share(17, LOKUS_DESA, {"out_of_school"}) > share(17, OTHER_DESA, {"out_of_school"})
    assert share(2, OTHER_DESA, {"not_school_age"}) == 1.0
    assert share(9, OTHER_DESA, {"sd"}) > 0.9 and share(14, OTHER_DESA, {"smp"}) > 0.8


@pytest.mark.parametrize("age", range(0, 19))
def test_every_planned_status_and_its_predecessor_are_valid(age: int):
    rng = random.Random(age)
    for _ in range(300):
        now = current_status(age, rng, LOKUS_DESA)
        before = previous_status(age, now, rng)
        for status, kelas in [now] + ([before] if before else []):
            unit = "Unit" if status != "not_school_age" and status != "out_of_school" else None
            check_entry(StatusEntry(status, kelas, unit))
        if before is not None and before[1] is not None and now[1] is not None:
            assert before[1] == now[1] - 1  # a kelas lower a year earlier


def test_every_ats_end_is_a_path_the_workflow_takes_and_every_state_is_reached():
    rng = random.Random(11)
    reached: set[str] = set()
    for end in ATS_ENDS:
        for _ in range(20):
            status = ATS.next(None, "detect")
            for step in _plan(end, rng):
                status = ATS.next(status, step)
            reached.add(status)
    assert reached == set(ATS.statuses)
