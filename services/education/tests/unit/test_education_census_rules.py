"""A census's pure parts: when an item repeats a child's current status, the events' JSON
built without a second validation, held to their payload models, and the rows of the ATS
cases it opens."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Table

from simpul_education.domain.census import same_as_current
from simpul_education.domain.status import StatusEntry
from simpul_education.events import (
    ChildRegistered,
    ChildStatusChanged,
    registered_data,
    status_changed_data,
)
from simpul_education.models import AtsCase, AtsCaseHistory
from simpul_education.ops.ats_detection import Found
from simpul_education.ops.ats_rows import case_row, history_row, opened_event
from simpul_education.settings import EducationSettings

pytestmark = pytest.mark.unit
SD = StatusEntry("sd", 4, "SDN 001 Tenggarong", "30401234")


@pytest.mark.parametrize(
    ("given", "same"),
    [
        (SD, True),
        (StatusEntry("sd", 4, "SDN 001 Tenggarong"), True),  # the NPSN left out: not undone
        (StatusEntry("sd", 4), True),  # no unit named
        (StatusEntry("sd", 5, "SDN 001 Tenggarong"), False),  # next kelas
        (StatusEntry("sd", 4, "SDN 002 Tenggarong"), False),  # another school
        (StatusEntry("sd", 4, "SDN 001 Tenggarong", "30409999"), False),
        (StatusEntry("out_of_school"), False),
    ],
)
def test_an_item_is_unchanged_only_when_it_repeats_the_current_status(
    given: StatusEntry, same: bool
) -> None:
    assert same_as_current(SD, given) is same


def test_a_child_without_a_status_is_never_unchanged() -> None:
    assert not same_as_current(None, StatusEntry("not_school_age"))


def test_the_events_json_is_what_the_payload_models_give() -> None:
    child = {
        "id": "7a2e4c10-5b3d-4f6e-8a91-0c2d3e4f5a6b",
        "person_ref": "a" * 64,
        "household_ref": "b" * 64,
        "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
        "desa_code": "64.02.06.2012",
        "birth_date": date(2016, 7, 12),
    }
    status = {
        "status": "sd",
        "jenjang": "sd",
        "kelas": 4,
        "source": "kader_census",
        "on": date(2026, 3, 2),
        "recorded_at": datetime(2026, 3, 2, tzinfo=UTC),
    }
    registered = registered_data(child, date(2026, 3, 2))
    assert ChildRegistered.model_validate(registered).model_dump(mode="json") == registered
    changed = status_changed_data(child, status, "out_of_school")
    assert ChildStatusChanged.model_validate(changed).model_dump(mode="json") == changed
    assert changed["age_months"] == 115


def test_a_detected_cases_rows_fill_their_tables_and_its_event_says_what_they_say() -> None:
    """The rows a census writes for the cases it opens have every column the ORM's would (the
    history's id is the database's), and the event says what the case's row says."""
    child = Found("c-1", "p-ref", "h-ref", "pos-1", "64.02.06.2012", date(2013, 7, 12))
    moment, on = datetime(2026, 1, 10, 3, tzinfo=UTC), date(2026, 1, 10)
    settings = EducationSettings(environment="development")
    row = case_row(settings, child, "kader_census", on, "kader-rapak", moment)
    step = history_row(row["id"], "detect", None, row["status"], {"source": "x"}, on, "k", moment)
    cases: Table = AtsCase.__table__  # type: ignore[attr-defined]
    steps: Table = AtsCaseHistory.__table__  # type: ignore[attr-defined]
    left_out = {c.name for c in cases.columns} - set(row)
    assert left_out and all(cases.c[name].nullable for name in left_out)
    assert set(step) == {c.name for c in steps.columns} - {"id", "note"}
    event = opened_event(row, child)
    assert (event.case_id, event.child_id, event.desa_code) == (row["id"], "c-1", row["desa_code"])
    assert (event.source, event.category, event.detected_on, event.age_months) == (
        "kader_census",
        None,
        on,
        149,
    )
    assert event.verify_due_on == row["verify_due_on"] > on and row["status"] == "detected"
