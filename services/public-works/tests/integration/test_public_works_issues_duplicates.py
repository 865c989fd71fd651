"""Duplicate reports over the real PostgreSQL and Kafka: a report of the same kind within the
radius of an open issue at the same desa is linked to the earliest one (outside the radius,
of another kind, or near a closed issue it is its own); a duplicate takes no step of its own,
closes with its primary (history and events included), and may be unlinked."""

from __future__ import annotations

from typing import Any

import pytest
from public_works_testkit import PublicWorks, issue_step, report_issue

pytestmark = pytest.mark.integration
NEAR: dict[str, Any] = {"latitude": -0.4208}  # ≈ 56 m south of ROAD
FAR: dict[str, Any] = {"latitude": -0.4213}  # ≈ 111 m south of ROAD


async def read(pw: PublicWorks, issue_id: str) -> dict[str, Any]:
    got = await pw.client.get(f"/v1/infrastructure-issues/{issue_id}", headers=pw.opd)
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def test_a_report_nearby_is_linked_to_the_earliest_open_issue(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    first = (await report_issue(pw, posyandu, reported_on="2026-03-02")).json()
    second_far = (await report_issue(pw, posyandu, reported_on="2026-03-03", **FAR)).json()
    assert second_far["duplicate_of"] is None  # 111 m: another place
    near = (await report_issue(pw, posyandu, reported_on="2026-03-04", **NEAR)).json()
    assert (near["duplicate_of"], near["linked_as_duplicate"]) == (first["id"], True)
    assert near["duplicate_distance_m"] == pytest.approx(55.6, abs=0.2)
    assert near["allowed"] == [] and near["history"][0]["codes"]["duplicate_of"] == first["id"]
    # Both within 100 m of the far one's place too, but the earliest open issue is first's.
    between = (await report_issue(pw, posyandu, latitude=-0.4209, reported_on="2026-03-05")).json()
    assert between["duplicate_of"] == first["id"]
    other_kind = (await report_issue(pw, posyandu, kind="drainase", **NEAR)).json()
    assert other_kind["duplicate_of"] is None
    primary = await read(pw, first["id"])
    assert sorted(primary["duplicates"]) == sorted([near["id"], between["id"]])

    events = await pw.events(5)
    linked = next(e for e in events if e.data["issue_id"] == near["id"])
    assert linked.data["duplicate_of"] == first["id"]

    listed = await pw.client.get(
        "/v1/infrastructure-issues", params={"overdue": "false"}, headers=pw.opd
    )
    assert near["id"] in {i["id"] for i in listed.json()}  # a duplicate is never overdue


async def test_a_closed_issue_takes_no_duplicates(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    first = (await report_issue(pw, posyandu)).json()
    await issue_step(pw, first["id"], "decline", reason="not_found")
    again = (await report_issue(pw, posyandu, **NEAR)).json()
    assert again["duplicate_of"] is None and again["linked_as_duplicate"] is False
    named = await report_issue(pw, posyandu, duplicate_of=first["id"])
    assert named.status_code == 409, named.text
    assert named.json()["current_status"] == "declined"


async def test_a_duplicate_may_be_named_checked_and_unlinked(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    first = (await report_issue(pw, posyandu)).json()
    far_named = await report_issue(pw, posyandu, duplicate_of=first["id"], latitude=-0.43)
    assert far_named.status_code == 201, far_named.text
    named = far_named.json()
    assert (named["duplicate_of"], named["linked_as_duplicate"]) == (first["id"], False)
    wrong_kind = await report_issue(pw, posyandu, kind="jembatan", duplicate_of=first["id"])
    assert [(e["field"], e["rule"]) for e in wrong_kind.json()["errors"]] == [
        ("body.duplicate_of", "duplicate_kind_mismatch")
    ]
    unknown = await report_issue(pw, posyandu, duplicate_of="no-such-issue")
    assert unknown.json()["errors"][0]["rule"] == "unknown_issue"

    own_step = await issue_step(pw, named["id"], "triage", handled_by="apbdes")
    assert own_step.status_code == 409
    assert (own_step.json()["duplicate_of"], own_step.json()["current_status"]) == (
        first["id"],
        "reported",
    )
    unlinked = await pw.client.delete(
        f"/v1/infrastructure-issues/{named['id']}/duplicate-of", headers=pw.opd
    )
    assert unlinked.status_code == 200, unlinked.text
    alone = unlinked.json()
    assert alone["duplicate_of"] is None and alone["allowed"] == ["triage", "decline"]
    assert alone["history"][-1]["action"] == "unlink"
    assert alone["history"][-1]["codes"] == {"was_duplicate_of": first["id"]}
    again = await pw.client.delete(
        f"/v1/infrastructure-issues/{named['id']}/duplicate-of", headers=pw.opd
    )
    assert again.status_code == 409
    triaged = await issue_step(pw, named["id"], "triage", handled_by="apbdes")
    assert triaged.status_code == 200, triaged.text
    events = await pw.events(4)
    assert (events[-2].data["action"], events[-2].data["duplicate_of"]) == ("unlink", None)


@pytest.mark.parametrize(
    ("end", "body"), [("complete", {}), ("decline", {"reason": "not_feasible"})]
)
async def test_duplicates_close_with_their_primary(
    public_works: PublicWorks, end: str, body: dict[str, Any]
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    first = (await report_issue(pw, posyandu, reported_on="2026-03-02")).json()
    copies = [
        (await report_issue(pw, posyandu, reported_on=day, **NEAR)).json()
        for day in ("2026-03-03", "2026-03-06")
    ]
    assert {c["duplicate_of"] for c in copies} == {first["id"]}
    await issue_step(pw, first["id"], "triage", handled_by="apbdes", triaged_on="2026-03-04")
    if end == "complete":
        await issue_step(
            pw,
            first["id"],
            "schedule",
            budget_year=2026,
            funding_source="apbdes",
            scheduled_on="2026-03-05",
        )
    closed = await issue_step(pw, first["id"], end, **body)
    assert closed.status_code == 200, closed.text
    status = "done" if end == "complete" else "declined"
    action = "resolve_with_primary" if end == "complete" else "decline_with_primary"
    for copy in copies:
        row = await read(pw, copy["id"])
        assert row["status"] == status and row["closed_on"] == closed.json()["closed_on"]
        last = row["history"][-1]
        assert (last["action"], last["from_status"], last["to_status"]) == (
            action,
            "reported",
            status,
        )
        assert last["codes"]["primary_id"] == first["id"]
        if status == "declined":
            assert row["decline_reason"] == "not_feasible"
    events = await pw.events(3 + (3 if end == "complete" else 2) + 2)
    following = [e.data for e in events if e.data.get("action") == action]
    assert sorted(e["issue_id"] for e in following) == sorted(c["id"] for c in copies)
