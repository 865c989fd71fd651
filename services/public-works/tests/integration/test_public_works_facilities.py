"""Public facilities over the real PostgreSQL and Kafka: recorded and announced with their
place, read with their history; an issue naming one with damaging severity makes it rusak, the
issue's repair berfungsi again (each change with the issue, announced), a light one or a
declined one changes nothing; a facility of another desa is refused."""

from __future__ import annotations

from typing import Any

import pytest
from public_works_testkit import (
    MANGKURAWANG,
    RAPAK_LAMBUR,
    PublicWorks,
    desa_headers,
    issue_step,
    record_facility,
    report_issue,
)

pytestmark = pytest.mark.integration
AT_TAP: dict[str, Any] = {"kind": "spam_air", "latitude": -0.4211, "longitude": 116.9865}


async def facility(pw: PublicWorks, facility_id: str) -> dict[str, Any]:
    got = await pw.client.get(f"/v1/facilities/{facility_id}", headers=desa_headers(pw))
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def test_a_facility_is_recorded_and_announced(public_works: PublicWorks) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    recorded = await record_facility(pw, posyandu)
    assert recorded.status_code == 201, recorded.text
    tap = recorded.json()
    assert (tap["status"], tap["desa_code"], tap["status_changed_on"]) == (
        "berfungsi",
        RAPAK_LAMBUR,
        "2026-01-05",
    )
    assert [(h["action"], h["to_status"]) for h in tap["history"]] == [("record", "berfungsi")]
    [event] = await pw.events(1)
    assert event.type == "public_works.facility.recorded.v1"
    assert (event.data["kind"], event.data["households_served"], event.data["latitude"]) == (
        "kran_umum",
        24,
        -0.4211,
    )
    swapped = await record_facility(pw, posyandu, latitude=116.98, longitude=-0.42)
    assert swapped.json()["errors"][0]["rule"] == "coordinates_swapped"
    future = await record_facility(pw, posyandu, built_year=2999)
    assert future.status_code == 422
    listed = await pw.client.get(
        "/v1/facilities", params={"kind": "kran_umum", "status": "berfungsi"}, headers=pw.kader
    )
    assert [f["id"] for f in listed.json()] == [tap["id"]]
    elsewhere = await pw.known_posyandu(MANGKURAWANG)
    assert (await record_facility(pw, elsewhere, headers=pw.kader)).status_code == 403


async def test_an_issue_puts_a_facility_out_of_order_and_its_repair_back(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    tap = (await record_facility(pw, posyandu)).json()
    light = (
        await report_issue(pw, posyandu, facility_id=tap["id"], severity="ringan", **AT_TAP)
    ).json()
    assert (await facility(pw, tap["id"]))["status"] == "berfungsi"  # a light defect
    await issue_step(pw, light["id"], "decline", reason="already_repaired")
    broken = (
        await report_issue(pw, posyandu, facility_id=tap["id"], severity="berat", **AT_TAP)
    ).json()
    assert broken["facility_id"] == tap["id"]
    damaged = await facility(pw, tap["id"])
    assert (damaged["status"], damaged["status_changed_on"]) == ("rusak", "2026-03-02")
    assert damaged["history"][-1]["issue_id"] == broken["id"]
    by_facility = await pw.client.get(
        "/v1/infrastructure-issues", params={"facility_id": tap["id"]}, headers=pw.opd
    )
    assert {i["id"] for i in by_facility.json()} == {light["id"], broken["id"]}

    await issue_step(pw, broken["id"], "triage", handled_by="apbdes", triaged_on="2026-03-03")
    await issue_step(
        pw,
        broken["id"],
        "schedule",
        budget_year=2026,
        funding_source="apbdes",
        scheduled_on="2026-03-04",
    )
    await issue_step(pw, broken["id"], "complete", done_on="2026-03-20")
    repaired = await facility(pw, tap["id"])
    assert (repaired["status"], repaired["status_changed_on"]) == ("berfungsi", "2026-03-20")
    assert [(h["action"], h["to_status"], h["issue_id"]) for h in repaired["history"]] == [
        ("record", "berfungsi", None),
        ("damage", "rusak", broken["id"]),
        ("repair", "berfungsi", broken["id"]),
    ]
    events = await pw.events(1 + 3 + 1 + 1 + 3 + 1)  # recorded, issues and steps, two changes
    changes = [e.data for e in events if e.type == "public_works.facility.status_changed.v1"]
    assert [(c["from_status"], c["to_status"], c["issue_id"]) for c in changes] == [
        ("berfungsi", "rusak", broken["id"]),
        ("rusak", "berfungsi", broken["id"]),
    ]


async def test_a_facility_stays_rusak_while_another_damaging_issue_is_open(
    public_works: PublicWorks,
) -> None:
    pw = public_works
    posyandu = await pw.known_posyandu()
    tap = (await record_facility(pw, posyandu)).json()
    first = (await report_issue(pw, posyandu, facility_id=tap["id"], **AT_TAP)).json()
    pipe = (
        await report_issue(
            pw,
            posyandu,
            facility_id=tap["id"],
            kind="sanitasi_mck",
            **{k: v for k, v in AT_TAP.items() if k != "kind"},
        )
    ).json()
    assert pipe["duplicate_of"] is None  # another kind: its own issue
    await issue_step(pw, first["id"], "triage", handled_by="apbdes")
    await issue_step(pw, first["id"], "schedule", budget_year=2026, funding_source="apbdes")
    await issue_step(pw, first["id"], "complete")
    assert (await facility(pw, tap["id"]))["status"] == "rusak"
    await issue_step(pw, pipe["id"], "triage", handled_by="apbdes")
    await issue_step(pw, pipe["id"], "schedule", budget_year=2026, funding_source="swadaya")
    await issue_step(pw, pipe["id"], "complete")
    assert (await facility(pw, tap["id"]))["status"] == "berfungsi"


async def test_a_facility_of_another_desa_is_refused(public_works: PublicWorks) -> None:
    pw = public_works
    elsewhere = await pw.known_posyandu(MANGKURAWANG)
    other = (await record_facility(pw, elsewhere)).json()
    posyandu = await pw.known_posyandu()
    named = await report_issue(pw, posyandu, facility_id=other["id"])
    assert [(e["field"], e["rule"]) for e in named.json()["errors"]] == [
        ("body.facility_id", "unknown_facility")
    ]
    hidden = await pw.client.get(f"/v1/facilities/{other['id']}", headers=pw.kader)
    assert hidden.status_code == 404
