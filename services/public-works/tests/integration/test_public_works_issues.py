"""Village infrastructure issues over the real PostgreSQL and Kafka: every step (the desa's
triage, forward and schedule, the OPD's done or decline) kept in the history and announced,
every wrong step a 409 naming the current status, dates checked, overdue by step, the wilayah
refused, nothing personal on the wire."""

from __future__ import annotations

from typing import Any

import pytest
from public_works_testkit import (
    MANGKURAWANG,
    RAPAK_LAMBUR,
    PublicWorks,
    desa_headers,
    issue_step,
    report_issue,
)

pytestmark = pytest.mark.integration


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def rules(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in problem(response, 422)["errors"]]


async def test_a_kabupaten_issue_from_report_to_done(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    reported = await report_issue(pw, posyandu, description="Jalan berlubang dekat SD.")
    assert reported.status_code == 201, reported.text
    issue = reported.json()
    assert (issue["status"], issue["source"], issue["desa_code"]) == (
        "reported",
        "kader",
        RAPAK_LAMBUR,
    )
    assert issue["linked_as_duplicate"] is False and issue["duplicate_of"] is None
    assert issue["allowed"] == ["triage", "decline"]
    desa = desa_headers(pw)
    steps: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        ("triage", {"handled_by": "kabupaten", "triaged_on": "2026-03-05"}, desa),
        ("forward", {"forwarded_on": "2026-03-06"}, desa),
        (
            "schedule",
            {"budget_year": 2026, "funding_source": "apbd_kabupaten", "scheduled_on": "2026-04-01"},
            pw.opd,
        ),
        ("complete", {"done_on": "2026-06-10"}, pw.opd),
    ]
    for step, body, headers in steps:
        taken = await issue_step(pw, issue["id"], step, headers, **body)
        assert taken.status_code == 200, taken.text
    done = taken.json()
    assert (done["status"], done["closed_on"], done["done_on"]) == (
        "done",
        "2026-06-10",
        "2026-06-10",
    )
    assert (done["handled_by"], done["budget_year"], done["funding_source"]) == (
        "kabupaten",
        2026,
        "apbd_kabupaten",
    )
    assert [(h["action"], h["to_status"], h["step_on"]) for h in done["history"]] == [
        ("report", "reported", "2026-03-02"),
        ("triage", "triaged", "2026-03-05"),
        ("forward", "forwarded", "2026-03-06"),
        ("schedule", "scheduled", "2026-04-01"),
        ("complete", "done", "2026-06-10"),
    ]
    assert done["history"][1]["actor"] == "pemdes-rapak"
    assert done["history"][3]["codes"] == {"budget_year": 2026, "funding_source": "apbd_kabupaten"}
    assert done["allowed"] == [] and done["overdue"] is False

    events = await pw.events(5)
    assert [e.type for e in events] == ["public_works.issue.reported.v1"] + [
        "public_works.issue.status_changed.v1"
    ] * 4
    first = events[0]
    assert (first.posyandu_id, first.wilayah) == (posyandu, RAPAK_LAMBUR)
    assert first.data["latitude"] == -0.4203 and first.data["kind"] == "jalan_desa"
    assert "description" not in first.data and "berlubang" not in str(first.data)
    assert "kader-rapak" not in str([e.data for e in events])  # no reporter on the wire
    scheduled = events[3].data
    assert (scheduled["from_status"], scheduled["to_status"], scheduled["on"]) == (
        "forwarded",
        "scheduled",
        "2026-04-01",
    )
    assert (scheduled["budget_year"], scheduled["funding_source"]) == (2026, "apbd_kabupaten")


async def test_an_apbdes_issue_is_scheduled_by_the_desa_and_not_forwarded(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    issue = (await report_issue(pw, await pw.known_posyandu())).json()
    desa = desa_headers(pw)
    await issue_step(pw, issue["id"], "triage", desa, handled_by="apbdes", triaged_on="2026-03-03")
    refused = problem(await issue_step(pw, issue["id"], "forward", desa), 409)
    assert refused["current_status"] == "triaged"
    assert refused["allowed"] == ["schedule", "decline"]
    scheduled = await issue_step(
        pw, issue["id"], "schedule", desa, budget_year=2026, funding_source="apbdes"
    )
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "scheduled"
    # The desa does not close an issue: that is the public-works roles'.
    assert (await issue_step(pw, issue["id"], "complete", desa)).status_code == 403


async def test_wrong_steps_are_409_naming_the_current_status(public_works: PublicWorks) -> None:
    pw = public_works
    issue = (await report_issue(pw, await pw.known_posyandu())).json()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("forward", {}),
        ("schedule", {"budget_year": 2026, "funding_source": "dak"}),
        ("complete", {}),
    ]
    for step, body in steps:
        refused = problem(await issue_step(pw, issue["id"], step, **body), 409)
        assert (refused["current_status"], refused["allowed"]) == (
            "reported",
            ["triage", "decline"],
        )
    await issue_step(pw, issue["id"], "triage", handled_by="kabupaten")
    refused = problem(
        await issue_step(pw, issue["id"], "schedule", budget_year=2026, funding_source="dak"), 409
    )
    assert (refused["current_status"], refused["allowed"]) == ("triaged", ["forward", "decline"])
    declined = await issue_step(pw, issue["id"], "decline", reason="other_authority")
    assert declined.json()["decline_reason"] == "other_authority"
    refused = problem(await issue_step(pw, issue["id"], "triage", handled_by="apbdes"), 409)
    assert (refused["current_status"], refused["allowed"]) == ("declined", [])


async def test_step_dates_not_in_the_future_nor_before_the_previous_step(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    assert rules(await report_issue(pw, posyandu, reported_on="2999-01-01")) == [
        ("body.reported_on", "not_in_future")
    ]
    issue = (await report_issue(pw, posyandu)).json()
    before = await issue_step(
        pw, issue["id"], "triage", handled_by="apbdes", triaged_on="2026-03-01"
    )
    assert rules(before) == [("body.triaged_on", "before_previous_step")]
    future = await issue_step(
        pw, issue["id"], "triage", handled_by="apbdes", triaged_on="2999-01-01"
    )
    assert rules(future) == [("body.triaged_on", "not_in_future")]
    await issue_step(pw, issue["id"], "triage", handled_by="apbdes", triaged_on="2026-03-02")
    year = await issue_step(
        pw,
        issue["id"],
        "schedule",
        budget_year=2020,
        funding_source="apbdes",
        scheduled_on="2026-03-04",
    )
    assert rules(year) == [("body.budget_year", "budget_year_out_of_range")]
    unchanged = (
        await pw.client.get(f"/v1/infrastructure-issues/{issue['id']}", headers=pw.opd)
    ).json()
    assert unchanged["status"] == "triaged" and len(unchanged["history"]) == 2


async def test_coordinates_are_checked_plausible(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    swapped = await report_issue(pw, posyandu, latitude=116.9871, longitude=-0.4203)
    assert rules(swapped) == [("body.latitude", "coordinates_swapped")]
    assert "swapped" in problem(swapped, 422)["errors"][0]["message"]
    outside = await report_issue(pw, posyandu, latitude=40.7, longitude=116.9)
    assert rules(outside) == [("body.latitude", "coordinates_outside_indonesia")]
    missing = await report_issue(pw, posyandu, latitude=None)
    assert missing.status_code == 422


async def test_overdue_on_the_read_and_as_a_filter(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    old = (await report_issue(pw, posyandu, reported_on="2025-01-02")).json()
    assert old["overdue"] is True and old["due_on"] == "2025-01-16"
    old_scheduled = (
        await report_issue(pw, posyandu, kind="drainase", reported_on="2025-01-02")
    ).json()
    await issue_step(
        pw, old_scheduled["id"], "triage", handled_by="apbdes", triaged_on="2025-01-03"
    )
    on_time = await issue_step(
        pw,
        old_scheduled["id"],
        "schedule",
        budget_year=2025,
        funding_source="apbdes",
        scheduled_on="2025-01-04",
    )
    assert on_time.json()["overdue"] is True  # its 2025 budget year is past
    fresh_day = pw.settings  # today's report: not overdue
    assert fresh_day is not None
    fresh = (await report_issue(pw, posyandu, kind="jembatan", reported_on=None)).json()
    assert fresh["overdue"] is False

    async def listed(**params: Any) -> set[str]:
        got = await pw.client.get("/v1/infrastructure-issues", params=params, headers=pw.opd)
        assert got.status_code == 200, got.text
        return {i["id"] for i in got.json()}

    assert await listed(overdue="true") == {old["id"], old_scheduled["id"]}
    assert await listed(overdue="false") == {fresh["id"]}
    assert await listed(kind="drainase", status="scheduled") == {old_scheduled["id"]}
    assert await listed(posyandu_id=posyandu, wilayah=RAPAK_LAMBUR) == {
        old["id"],
        old_scheduled["id"],
        fresh["id"],
    }


async def test_out_of_wilayah_is_refused(public_works: PublicWorks) -> None:
    pw = public_works
    elsewhere = await pw.known_posyandu(MANGKURAWANG)
    assert problem(await report_issue(pw, elsewhere), 403)  # the kader is Rapak Lambur's
    issue = (await report_issue(pw, elsewhere, headers=pw.opd)).json()
    assert (
        await pw.client.get(f"/v1/infrastructure-issues/{issue['id']}", headers=pw.kader)
    ).status_code == 404
    for headers in (pw.kader, desa_headers(pw)):
        taken = await issue_step(pw, issue["id"], "triage", headers, handled_by="apbdes")
        assert taken.status_code == 404, taken.text
    listed = await pw.client.get("/v1/infrastructure-issues", headers=pw.kader)
    assert listed.json() == []
    other = await pw.client.get(
        "/v1/infrastructure-issues", params={"wilayah": MANGKURAWANG}, headers=pw.kader
    )
    assert other.status_code == 403
    aggregate = pw.auth(["dpmd"], ["64.02"])
    assert (await pw.client.get("/v1/infrastructure-issues", headers=aggregate)).status_code == 403
