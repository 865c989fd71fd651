"""The kader incentive roster equals a hand-built expectation (every inclusion and exclusion
reason), is replaced while a draft, frozen once approved, exported row for row, and announced
by counts only."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from registry_days_kit import appoint, attend, nik, one_off, published, record
from registry_testkit import DOCUMENTS, Registry

pytestmark = pytest.mark.integration
MONTH = "2026-05"
AMOUNT = 250_000


async def registered(registry: Registry) -> str:
    pid: str = (await registry.create("Posyandu Mawar"))["id"]
    for action, body in [
        ("submit", DOCUMENTS),
        ("verify", None),
        ("register", {"registration_number": "64.02.06.2012.001"}),
    ]:
        response = await registry.act(pid, action, body)
        assert response.status_code == 200, response.text
    return pid


async def held(registry: Registry, pid: str, day: str, present: dict[str, str]) -> None:
    await one_off(registry, pid, day)
    assert (await record(registry, pid, day)).status_code == 200
    items = [{"person_id": k, "status": s} for k, s in present.items()]
    assert (await attend(registry, pid, day, items)).status_code == 200


async def build(registry: Registry) -> dict[str, tuple[str, bool, str | None, int]]:
    """Hand-built kader: id → (name, included, reason, days present in May)."""
    mawar = await registered(registry)
    melati = (await registry.create("Posyandu Melati"))["id"]  # a draft: no number
    k = {n: await appoint(registry, mawar, n) for n in (1, 2, 5, 6)}
    k[3] = await appoint(registry, mawar, 3, start="2026-06-01")  # starts after May
    k[4] = await appoint(registry, mawar, 4, end="2026-04-30")  # ended before May
    k[7] = await appoint(registry, melati, 7)
    await appoint(registry, mawar, 8, role="ketua", field=None)  # pengurus: not on a roster
    await held(registry, mawar, "2026-03-10", {k[6]: "present", k[5]: "absent"})
    await held(registry, mawar, "2026-05-12", {k[1]: "present", k[2]: "present", k[6]: "absent"})
    await held(registry, mawar, "2026-05-26", {k[1]: "present", k[6]: "excused"})
    await held(registry, melati, "2026-05-12", {k[7]: "present"})
    return {
        k[1]: ("Kader Nomor 1", True, None, 2),
        k[2]: ("Kader Nomor 2", True, None, 1),
        k[3]: ("Kader Nomor 3", False, "not_appointed", 0),
        k[4]: ("Kader Nomor 4", False, "not_appointed", 0),
        k[5]: ("Kader Nomor 5", False, "inactive", 0),  # never present since 2025
        k[6]: ("Kader Nomor 6", False, "too_few_days", 0),  # present in March: still active
        k[7]: ("Kader Nomor 7", False, "posyandu_not_registered", 1),
    }


def as_expected(body: dict[str, Any]) -> dict[str, tuple[str, bool, str | None, int]]:
    return {
        r["person_id"]: (r["name"], r["included"], r["reason"], r["days_present"])
        for r in body["rows"]
    }


async def test_registry_roster_equals_hand_count_and_freezes(
    relayed_registry: Registry, kafka_broker: Any
) -> None:
    registry = relayed_registry
    expected = await build(registry)
    body = {"kabupaten": "64.02", "month": MONTH}
    draft = await registry.client.post("/v1/incentive-rosters", json=body, headers=registry.dpmd)
    assert draft.status_code == 201, draft.text
    roster = draft.json()
    assert as_expected(roster) == expected
    assert roster["status"] == "draft" and roster["approved_by"] is None
    assert roster["totals"] == {
        "kader": 7,
        "included": 2,
        "excluded": {
            "inactive": 1,
            "not_appointed": 2,
            "posyandu_not_registered": 1,
            "too_few_days": 1,
        },
        "total_amount": 2 * AMOUNT,
    }
    rows = {r["person_id"]: r for r in roster["rows"]}
    assert {r["amount"] for r in rows.values() if r["included"]} == {AMOUNT}
    assert {r["amount"] for r in rows.values() if not r["included"]} == {0}
    assert all(r["nik_masked"].count("*") == 8 for r in rows.values())
    assert nik(1)[:6] + "********" + nik(1)[-2:] in {r["nik_masked"] for r in rows.values()}

    # A draft is recomputed in place: kader 6 comes on 26 May after all.
    six = next(p for p, e in expected.items() if e[0] == "Kader Nomor 6")
    mawar = rows[six]["posyandu_id"]
    await attend(registry, mawar, "2026-05-26", [{"person_id": six, "status": "present"}])
    again = await registry.client.post("/v1/incentive-rosters", json=body, headers=registry.dpmd)
    assert again.status_code == 201 and again.json()["id"] == roster["id"]
    expected[six] = ("Kader Nomor 6", True, None, 1)
    assert as_expected(again.json()) == expected
    assert again.json()["totals"]["total_amount"] == 3 * AMOUNT

    rid = roster["id"]
    approved = await registry.client.post(
        f"/v1/incentive-rosters/{rid}/approve", headers=registry.dpmd
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == "dpmd-kukar" and approved.json()["approved_at"]

    # Frozen: a later attendance changes nothing, a recompute or a second approval is a 409.
    two = next(p for p, e in expected.items() if e[0] == "Kader Nomor 2")
    await attend(registry, mawar, "2026-05-26", [{"person_id": two, "status": "present"}])
    refused = await registry.client.post("/v1/incentive-rosters", json=body, headers=registry.dpmd)
    assert refused.status_code == 409
    twice = await registry.client.post(
        f"/v1/incentive-rosters/{rid}/approve", headers=registry.dpmd
    )
    assert twice.status_code == 409
    read = await registry.client.get(
        f"/v1/incentive-rosters/{rid}?page_size=500", headers=registry.dpmd
    )
    assert read.json()["rows"] == approved.json()["rows"]
    assert as_expected(read.json()) == expected
    paged = await registry.client.get(
        f"/v1/incentive-rosters/{rid}?page=4&page_size=2", headers=registry.dpmd
    )
    assert [r["person_id"] for r in paged.json()["rows"]] == [read.json()["rows"][6]["person_id"]]

    await exports_match(registry, rid, read.json()["rows"])
    events = await published(registry, kafka_broker.bootstrap_servers)
    roster_events = [e for e in events if e.type == "registry.incentive_roster.approved.v1"]
    assert [e.data for e in roster_events] == [
        {
            "roster_id": rid,
            "kabupaten_code": "64.02",
            "month": MONTH,
            "included": 3,
            "excluded": {"inactive": 1, "not_appointed": 2, "posyandu_not_registered": 1},
            "total_amount": 3 * AMOUNT,
        }
    ]
    assert roster_events[0].wilayah == "64.02" and roster_events[0].subject == rid
    wire = roster_events[0].to_kafka()[1].decode()
    assert "Kader Nomor" not in wire and "********" not in wire and nik(1) not in wire


async def exports_match(registry: Registry, rid: str, rows: list[dict[str, Any]]) -> None:
    wanted = [
        [r["nik_masked"], r["name"], r["posyandu_name"], r["desa_code"], str(r["days_present"]),
         "yes" if r["included"] else "no", str(r["amount"]), r["reason"] or ""]
        for r in rows
    ]  # fmt: skip
    as_csv = await registry.client.get(f"/v1/incentive-rosters/{rid}.csv", headers=registry.dpmd)
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(as_csv.text)))
    assert lines[0][:2] == ["nik_masked", "name"] and lines[1:] == wanted
    as_xlsx = await registry.client.get(f"/v1/incentive-rosters/{rid}.xlsx", headers=registry.dpmd)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells[1:] == wanted


async def test_registry_roster_rules_and_scope(registry: Registry) -> None:
    future = await registry.client.post(
        "/v1/incentive-rosters", json={"kabupaten": "64.02", "month": "2999-01"},
        headers=registry.dpmd,
    )  # fmt: skip
    assert future.json()["errors"][0]["field"] == "body.month"
    assert future.json()["errors"][0]["rule"] == "month_in_future"
    bad = await registry.client.post(
        "/v1/incentive-rosters", json={"kabupaten": "64.02", "month": "2026-13"},
        headers=registry.dpmd,
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.month"
    elsewhere = await registry.client.post(
        "/v1/incentive-rosters", json={"kabupaten": "64.01", "month": MONTH},
        headers=registry.dpmd,
    )  # fmt: skip
    assert elsewhere.status_code == 403
    tp = await registry.client.post(
        "/v1/incentive-rosters", json={"kabupaten": "64.02", "month": MONTH}, headers=registry.tp
    )
    assert tp.status_code == 403
    empty = await registry.client.post(
        "/v1/incentive-rosters", json={"kabupaten": "64.02", "month": MONTH},
        headers=registry.dpmd,
    )  # fmt: skip
    assert empty.json()["totals"] == {"kader": 0, "included": 0, "excluded": {}, "total_amount": 0}
    missing = await registry.client.get("/v1/incentive-rosters/nope", headers=registry.dpmd)
    assert missing.status_code == 404
