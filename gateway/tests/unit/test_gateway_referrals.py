"""The referral views' pure parts: sums over the target fields that answered, groups, the
overdue list merged across fields, a posyandu's referrals each once; and the route answering
when fields are missing or down.

The referrals are one small world, written out below with what a hand count gives. Each
target field's summary is counted from it the way a service counts its incoming referrals.
"""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

import pytest

from simpul_gateway.app import create_app
from simpul_gateway.clients import CLIENTS
from simpul_gateway.schemas import CountName
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, CircuitBreaker, Status, Upstream
from simpul_gateway.views.referrals import (
    COUNTS,
    default_group,
    drill_down,
    open_referrals,
    overdue,
    overview,
    statuses,
)
from simpul_platform.auth import mint_token
from simpul_platform.indicators import SPM_FIELDS, SpmField
from simpul_platform.referrals.catalogue import CATALOGUES
from simpul_platform.referrals.domain import is_overdue, resolved_on_time
from simpul_platform.referrals.schemas import (
    ReferralBrief,
    ReferralCounts,
    ReferralGroup,
    ReferralSummary,
)
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

TODAY = date(2026, 7, 10)
P1, P2, P3 = "pos-1", "pos-2", "pos-3"
DESA = {P1: "64.02.06.2001", P2: "64.02.06.2002", P3: "64.02.07.2001"}


def brief(
    id: str,
    source: SpmField,
    target: SpmField,
    posyandu: str,
    requested_on: str,
    due_on: str,
    status: str = "requested",
    *,
    direction: str = "incoming",
    resolved_on: str | None = None,
) -> ReferralBrief:
    due = date.fromisoformat(due_on)
    resolved = date.fromisoformat(resolved_on) if resolved_on else None
    return ReferralBrief.model_validate(
        {
            "id": id,
            "direction": direction,
            "source_field": source,
            "target_field": target,
            "automatic": False,
            "posyandu_id": posyandu,
            "desa_code": DESA[posyandu],
            "reason_code": "bansos_need" if target == "social" else "child_not_weighed",
            "status": status,
            "requested_on": requested_on,
            "due_on": due_on,
            "overdue": is_overdue(status, due, TODAY),
            "resolved_on": resolved_on,
            "resolved_on_time": resolved_on_time(status, due, resolved) if resolved else None,
        }
    )


JUN_15, JUL_1 = "2026-06-15", "2026-07-01"
WORLD = [
    brief("r1", "health", "social", P1, "2026-06-20", "2026-06-27"),  # overdue
    brief("r2", "health", "social", P1, "2026-07-01", "2026-07-08", "accepted"),  # overdue
    brief("r3", "health", "social", P3, "2026-07-06", "2026-07-13"),  # open, not yet due
    brief(
        "r4", "social", "health", P2, "2026-06-10", "2026-06-17", "resolved", resolved_on=JUN_15
    ),  # in time
    brief("r5", "social", "health", P3, "2026-06-01", "2026-06-08"),  # the longest overdue
    brief("r6", "social", "health", P3, "2026-06-02", "2026-06-09", "rejected"),
    brief(
        "r7", "health", "social", P2, "2026-06-18", "2026-06-25", "resolved", resolved_on=JUL_1
    ),  # late
]
# By hand from WORLD: what each target owns, and together.
SOCIAL = ReferralCounts(total=4, open=3, overdue=2, rejected=0, resolved=1, resolved_on_time=0)
HEALTH = ReferralCounts(total=3, open=1, overdue=1, rejected=1, resolved=1, resolved_on_time=1)
BOTH = ReferralCounts(total=7, open=4, overdue=3, rejected=1, resolved=2, resolved_on_time=1)


def count(briefs: list[ReferralBrief]) -> ReferralCounts:
    return ReferralCounts(
        total=len(briefs),
        open=sum(b.status in ("requested", "accepted") for b in briefs),
        overdue=sum(b.overdue for b in briefs),
        rejected=sum(b.status == "rejected" for b in briefs),
        resolved=sum(b.status == "resolved" for b in briefs),
        resolved_on_time=sum(bool(b.resolved_on_time) for b in briefs),
    )


def summary(target: SpmField, limit: int = 50) -> ReferralSummary:
    """What ``target``'s service answers for its incoming referrals, per kecamatan."""
    own = [b for b in WORLD if b.target_field == target]
    kecamatan = sorted({b.desa_code.rsplit(".", 1)[0] for b in own})
    sources = sorted({b.source_field for b in own})
    late = sorted((b for b in own if b.overdue), key=lambda b: b.due_on)[:limit]
    return ReferralSummary(
        field=target,
        direction="incoming",
        as_of=TODAY,
        wilayah="64.02",
        group="kecamatan",
        totals=count(own),
        by_other_field={s: count([b for b in own if b.source_field == s]) for s in sources},
        groups=[
            ReferralGroup(
                code=k, **count([b for b in own if b.desa_code.startswith(k)]).model_dump()
            )
            for k in kecamatan
        ],
        overdue=late,
    )


def answers(**given: Answer) -> dict[SpmField, Answer]:
    """Every field: the given answers, the rest not available (no referrals, no service)."""
    absent = Answer(Status.NOT_AVAILABLE, detail="takes no referrals yet")
    return {field: given.get(field, absent) for field in SPM_FIELDS}


def both_answer() -> dict[SpmField, Answer]:
    return answers(
        health=Answer(Status.OK, data=summary("health")),
        social=Answer(Status.OK, data=summary("social")),
    )


def test_totals_and_each_opds_counts_equal_the_hand_count():
    view = overview("64.02", "kecamatan", both_answer(), as_of=TODAY)
    assert view.totals == BOTH and view.complete
    rows = {row.field: row for row in view.by_field}
    assert [row.field for row in view.by_field] == list(SPM_FIELDS)
    assert (rows["health"].counts, rows["social"].counts) == (HEALTH, SOCIAL)
    assert rows["health"].by_source_field == {"social": HEALTH}
    assert {f: rows[f].status for f in ("education", "housing", "public_works", "trantib")} == {
        f: Status.NOT_AVAILABLE for f in ("education", "housing", "public_works", "trantib")
    }
    assert all(rows[f].counts is None for f in ("education", "housing", "public_works", "trantib"))


def test_groups_sum_the_fields_and_keep_each_fields_part():
    view = overview("64.02", "kecamatan", both_answer(), as_of=TODAY)
    by_code = {row.code: row for row in view.by_group}
    assert [row.code for row in view.by_group] == ["64.02.06", "64.02.07"]
    assert by_code["64.02.06"].counts == ReferralCounts(
        total=4, open=2, overdue=2, rejected=0, resolved=2, resolved_on_time=1
    )
    assert by_code["64.02.07"].counts == ReferralCounts(
        total=3, open=2, overdue=1, rejected=1, resolved=0, resolved_on_time=0
    )
    assert by_code["64.02.07"].by_field == {
        "health": ReferralCounts(total=2, open=1, overdue=1, rejected=1),
        "social": ReferralCounts(total=1, open=1),
    }
    assert by_code["64.02.06"].href == "/v1/referrals?wilayah=64.02.06&group=posyandu"
    assert sum(row.counts.overdue for row in view.by_group) == view.totals.overdue


def test_the_overdue_list_merges_the_fields_longest_overdue_first_naming_the_opd():
    view = overview("64.02", "kecamatan", both_answer(), as_of=TODAY, status="overdue")
    assert [(r.id, r.target_field, r.source_field) for r in view.overdue] == [
        ("r5", "health", "social"),
        ("r1", "social", "health"),
        ("r2", "social", "health"),
    ]
    assert len(view.overdue) == view.totals.overdue
    first = view.overdue[0]
    assert (first.posyandu_id, first.desa_code, first.reason_code) == (
        P3,
        "64.02.07.2001",
        "child_not_weighed",
    )
    assert (first.requested_on, first.due_on) == (date(2026, 6, 1), date(2026, 6, 8))


def test_the_overdue_list_keeps_the_longest_overdue_of_all_fields_within_its_limit():
    merged = overdue([summary("social", limit=1), summary("health", limit=1)], limit=2)
    assert [r.id for r in merged] == ["r5", "r1"]


def test_a_field_that_does_not_answer_is_shown_and_makes_the_totals_incomplete():
    down = Answer(Status.UNAVAILABLE, detail="social failed (503)")
    view = overview(
        "64.02",
        "kecamatan",
        answers(health=Answer(Status.OK, data=summary("health")), social=down),
        as_of=TODAY,
    )
    social = next(row for row in view.by_field if row.field == "social")
    assert (social.status, social.counts, social.detail) == (
        Status.UNAVAILABLE,
        None,
        "social failed (503)",
    )
    assert not view.complete and view.totals == HEALTH
    assert [r.id for r in view.overdue] == ["r5"]
    assert all(set(row.by_field) == {"health"} for row in view.by_group)


def test_a_status_narrows_the_groups_to_those_with_it_most_first():
    narrowed = overview("64.02", "kecamatan", both_answer(), as_of=TODAY, status="rejected")
    assert [row.code for row in narrowed.by_group] == ["64.02.07"]
    assert narrowed.overdue == []  # rejected ones wait no more
    overdue_first = overview("64.02", "kecamatan", both_answer(), as_of=TODAY, status="overdue")
    assert [(r.code, r.counts.overdue) for r in overdue_first.by_group] == [
        ("64.02.06", 2),
        ("64.02.07", 1),
    ]
    assert overdue_first.by_group[0].href == (
        "/v1/referrals?wilayah=64.02.06&group=posyandu&status=overdue"
    )


def test_one_field_asked_is_the_only_row():
    only: dict[SpmField, Answer] = {"social": Answer(Status.OK, data=summary("social"))}
    view = overview("64.02", "kecamatan", only, as_of=TODAY, field="social")
    assert [row.field for row in view.by_field] == ["social"]
    assert view.totals == SOCIAL and view.complete


def test_every_status_a_view_is_narrowed_to_is_a_count():
    assert set(get_args(CountName)) <= set(COUNTS)


def test_the_default_group_drills_down_to_posyandu_within_a_kecamatan():
    assert [default_group(c) for c in ("64", "64.02", "64.02.06", "64.02.06.2001")] == [
        "kecamatan",
        "kecamatan",
        "posyandu",
        "posyandu",
    ]
    assert drill_down("desa", "64.02.06.2001", status=None, field="health") == (
        "/v1/referrals?wilayah=64.02.06.2001&group=posyandu&field=health"
    )
    assert drill_down("posyandu", P1, status="open", field=None) == "/v1/posyandu/pos-1/profile"


@pytest.mark.parametrize("target_first", [False, True])
def test_a_posyandus_referrals_are_each_shown_once_the_targets_row_winning(target_first):
    """r1 comes back twice: health's outgoing copy still says requested; social, which owns it,
    has accepted it. Where the target's row is no longer open (r8), the source's copy that
    still is does not outweigh it. Which service's answer comes first does not matter."""
    r1 = ("r1", "health", "social", P1, "2026-06-20", "2026-06-27")
    r8 = ("r8", "health", "social", P1, "2026-06-01", "2026-06-05")
    own = brief("r9", "social", "health", P1, "2026-06-22", "2026-06-29")
    health = Answer(
        Status.OK, data=[brief(*r1, direction="outgoing"), own, brief(*r8, direction="outgoing")]
    )
    social = Answer(Status.OK, data=[brief(*r1, "accepted"), brief(*r8, "resolved")])
    both: list[tuple[SpmField, Answer]] = [("health", health), ("social", social)]
    given = dict(both[::-1] if target_first else both)
    given |= {"education": Answer(Status.UNAVAILABLE), "trantib": Answer(Status.NOT_AVAILABLE)}
    shown = open_referrals(given)
    assert [(r.id, r.status) for r in shown] == [("r1", "accepted"), ("r9", "requested")]
    assert all(r.overdue for r in shown)


def test_a_posyandus_referral_statuses_name_every_field_in_order():
    listed = statuses(
        answers(
            health=Answer(Status.OK, data=[]),
            social=Answer(Status.TIMEOUT, detail="social did not answer in 2.0s"),
        )
    )
    assert [(s.field, s.status) for s in listed] == [
        ("health", Status.OK),
        ("education", Status.NOT_AVAILABLE),
        ("social", Status.TIMEOUT),
        ("housing", Status.NOT_AVAILABLE),
        ("public_works", Status.NOT_AVAILABLE),
        ("trantib", Status.NOT_AVAILABLE),
    ]


def client(field: SpmField, url: str) -> Any:
    upstream = Upstream(
        field, url, timeout_s=1.0, retries=0, breaker=CircuitBreaker(3, reset_after_s=60)
    )
    return CLIENTS[field](upstream)


async def test_a_field_without_referrals_is_not_available_without_a_call(monkeypatch):
    # Every field has a catalogue now; a field the platform has none for is made by taking
    # trantib's away.
    monkeypatch.delitem(CATALOGUES, "trantib")
    trantib = client("trantib", "http://127.0.0.1:9")  # deployed, but nothing listens: never asked
    assert not trantib.has_referrals and client("social", "").has_referrals
    answer = await trantib.referral_summary("tok", "64.02", "kecamatan", 200)
    assert (answer.status, answer.detail) == (
        Status.NOT_AVAILABLE,
        "trantib takes no referrals yet",
    )
    assert (await trantib.referrals_of_posyandu("tok", P1)).status is Status.NOT_AVAILABLE
    undeployed = await client("health", "").referral_summary("tok", "64.02", "kecamatan", 200)
    assert undeployed.status is Status.NOT_AVAILABLE


def test_a_body_the_gateway_cannot_read_is_the_field_being_unavailable():
    social = client("social", "")
    read = social._read(
        Answer(Status.OK, data={"totals": "many"}), ReferralSummary.model_validate, "referrals"
    )
    assert read.status is Status.UNAVAILABLE and "cannot read" in (read.detail or "")
    body = summary("social").model_dump(mode="json")
    fine = social._read(Answer(Status.OK, data=body), ReferralSummary.model_validate, "referrals")
    assert fine.ok and fine.data == summary("social")


async def test_the_route_answers_with_a_field_down_and_the_others_not_available():
    settings = GatewaySettings(
        environment="test",
        jwt_secret=TEST_JWT_SECRET,
        pseudonym_secret=TEST_PSEUDONYM_SECRET,
        registry_url="",
        health_url="http://127.0.0.1:9",  # nothing listens: health is down
        education_url="",
        social_url="",
        housing_url="",
        public_works_url="",
        trantib_url="",
        upstream_retries=0,
    )
    token = mint_token(settings, "tp", ["tp:kecamatan"], ["64.02.06"])
    async with running_app(create_app(settings)) as http:
        answer = await http.get(
            "/v1/referrals",
            params={"wilayah": "64.02.06", "status": "overdue"},
            headers={"Authorization": f"Bearer {token}"},
        )
        outside = await http.get(
            "/v1/referrals",
            params={"wilayah": "64.02.07"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["group"] == "posyandu" and body["complete"] is False
    assert {row["field"]: row["status"] for row in body["by_field"]} == {
        "health": "unavailable",
        "education": "not_available",
        "social": "not_available",
        "housing": "not_available",
        "public_works": "not_available",
        "trantib": "not_available",
    }
    assert body["totals"] == ReferralCounts().model_dump()
    assert (body["by_group"], body["overdue"]) == ([], [])
    assert outside.status_code == 403
