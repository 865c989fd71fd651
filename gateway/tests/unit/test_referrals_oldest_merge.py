"""The referral view's open list: each target field's ``oldest_open`` merged, the earliest
requested first (ties by id, as the services order them), each referral once, within the
overdue list's limit; shown whenever the overdue list is, and absent for the closed counts.
Then the Rujukan page's table of it: the API's rows in the API's order, days open as of the
API's day.

A small world by hand: social owns s1–s3, health owns h1–h2; each field's summary lists its
open ones in the services' order, as ``queries.oldest_open`` does.
"""

from __future__ import annotations

from datetime import date

import pytest

from simpul_gateway.dashboard import referrals as page
from simpul_gateway.dashboard.i18n import labels
from simpul_gateway.dashboard.labels.referrals import EN, ID
from simpul_gateway.upstream import Answer, Status
from simpul_gateway.views.referrals import CLOSED, OVERDUE_LIMIT, oldest_open, overview
from simpul_platform.indicators import SPM_FIELDS, SpmField
from simpul_platform.referrals.domain import is_overdue
from simpul_platform.referrals.schemas import ReferralBrief, ReferralCounts, ReferralSummary

pytestmark = pytest.mark.unit

TODAY = date(2026, 7, 10)


def brief(
    id: str,
    target: SpmField,
    requested_on: str,
    due_on: str,
    status: str = "requested",
    *,
    direction: str = "incoming",
) -> ReferralBrief:
    source: SpmField = "health" if target == "social" else "social"
    return ReferralBrief.model_validate(
        {
            "id": id,
            "direction": direction,
            "source_field": source,
            "target_field": target,
            "automatic": False,
            "posyandu_id": f"pos-{id}",
            "desa_code": "64.02.06.2001",
            "reason_code": "bansos_need",
            "status": status,
            "requested_on": requested_on,
            "due_on": due_on,
            "overdue": is_overdue(status, date.fromisoformat(due_on), TODAY),
        }
    )


SOCIAL_OPEN = [
    brief("s1", "social", "2026-06-01", "2026-06-08"),  # overdue
    brief("s2", "social", "2026-06-20", "2026-06-27", "accepted"),  # overdue
    brief("s3", "social", "2026-07-09", "2026-07-16"),  # not yet due
]
HEALTH_OPEN = [
    brief("h1", "health", "2026-06-01", "2026-06-05"),  # same day as s1: by id, h1 first
    brief("h2", "health", "2026-07-01", "2026-07-08", "accepted"),
]


def summary(field: SpmField, open_ones: list[ReferralBrief], limit: int = 50) -> ReferralSummary:
    return ReferralSummary(
        field=field,
        direction="incoming",
        as_of=TODAY,
        wilayah="64.02",
        group="kecamatan",
        totals=ReferralCounts(
            total=len(open_ones),
            open=len(open_ones),
            overdue=sum(b.overdue for b in open_ones),
        ),
        by_other_field={},
        groups=[],
        overdue=sorted((b for b in open_ones if b.overdue), key=lambda b: b.due_on)[:limit],
        oldest_open=open_ones[:limit],
    )


def answers(social: Answer, health: Answer) -> dict[SpmField, Answer]:
    absent = Answer(Status.NOT_AVAILABLE, detail="takes no referrals yet")
    given: dict[str, Answer] = {"social": social, "health": health}
    return {f: given.get(f, absent) for f in SPM_FIELDS}


def both() -> dict[SpmField, Answer]:
    return answers(
        Answer(Status.OK, data=summary("social", SOCIAL_OPEN)),
        Answer(Status.OK, data=summary("health", HEALTH_OPEN)),
    )


def test_the_open_list_merges_the_fields_earliest_requested_first_naming_the_opd():
    view = overview("64.02", "kecamatan", both(), as_of=TODAY)
    assert [(r.id, r.target_field, r.source_field, r.status) for r in view.oldest_open] == [
        ("h1", "health", "social", "requested"),
        ("s1", "social", "health", "requested"),
        ("s2", "social", "health", "accepted"),
        ("h2", "health", "social", "accepted"),
        ("s3", "social", "health", "requested"),
    ]
    # Every open one, overdue or not: as many as the counts say are open.
    assert len(view.oldest_open) == view.totals.open
    assert [r.overdue for r in view.oldest_open] == [True, True, True, True, False]
    # The overdue list is unchanged beside it: earliest due first.
    assert [r.id for r in view.overdue] == ["h1", "s1", "s2", "h2"]


def test_each_fields_first_ones_make_the_first_ones_of_all():
    merged = oldest_open(
        [summary("social", SOCIAL_OPEN, limit=2), summary("health", HEALTH_OPEN, limit=2)],
        limit=2,
    )
    assert [r.id for r in merged] == ["h1", "s1"]
    assert len(oldest_open([summary("social", SOCIAL_OPEN)], limit=OVERDUE_LIMIT)) == 3


def test_a_referral_listed_twice_is_shown_once_the_targets_row_winning():
    copy = brief("s2", "social", "2026-06-20", "2026-06-27", direction="outgoing")
    merged = oldest_open(
        [summary("health", [copy]), summary("social", SOCIAL_OPEN)], limit=OVERDUE_LIMIT
    )
    assert [(r.id, r.status) for r in merged] == [
        ("s1", "requested"),
        ("s2", "accepted"),
        ("s3", "requested"),
    ]


@pytest.mark.parametrize("status", [None, "open", "overdue"])
def test_the_open_list_is_shown_when_the_overdue_list_is(status):
    view = overview("64.02", "kecamatan", both(), as_of=TODAY, status=status)
    assert [r.id for r in view.oldest_open] == ["h1", "s1", "s2", "h2", "s3"]


@pytest.mark.parametrize("status", sorted(CLOSED))
def test_the_closed_counts_have_no_open_list(status):
    view = overview("64.02", "kecamatan", both(), as_of=TODAY, status=status)
    assert view.oldest_open == [] and view.overdue == []


def test_a_field_down_leaves_the_others_open_ones():
    down = Answer(Status.TIMEOUT, detail="social did not answer in 2.0s")
    view = overview(
        "64.02",
        "kecamatan",
        answers(down, Answer(Status.OK, data=summary("health", HEALTH_OPEN))),
        as_of=TODAY,
    )
    assert not view.complete
    assert [r.id for r in view.oldest_open] == ["h1", "h2"]


def test_a_summary_without_the_list_reads_as_none_open():
    """A field service not yet upgraded answers without ``oldest_open``: still readable."""
    body = summary("social", SOCIAL_OPEN).model_dump(mode="json", exclude={"oldest_open"})
    older = ReferralSummary.model_validate(body)
    assert older.oldest_open == [] and [b.id for b in older.overdue] == ["s1", "s2"]


def test_the_pages_open_table_is_the_apis_list_in_its_order_with_days_open():
    view = overview("64.02", "kecamatan", both(), as_of=TODAY).model_dump(mode="json")
    table = page.open_table(view, labels("id"))
    assert [c.key for c in table.columns] == [
        "requested_on",
        "days_open",
        "due_on",
        "target_label",
        "source_label",
        "posyandu_id",
        "desa_code",
        "status_label",
        "reason_code",
    ]
    assert [(r["id"], r["requested_on"], r["days_open"]) for r in table.rows] == [
        ("h1", "2026-06-01", 39),
        ("s1", "2026-06-01", 39),
        ("s2", "2026-06-20", 20),
        ("h2", "2026-07-01", 9),
        ("s3", "2026-07-09", 1),
    ]
    assert (table.rows[0]["target_label"], table.rows[0]["status_label"]) == (
        "Kesehatan",
        "diminta",
    )
    assert table.rows[2]["status_label"] == "diterima"
    assert page.days_open("2026-07-11", TODAY) == 0  # a request dated after the API's day
    assert set(ID) == set(EN)
