"""ODGJ berat, terduga TBC and risiko HIV: who reads what (health roles in their wilayah; the
HIV group and result for the Dinas Kesehatan only), and that none of it leaves the service as
an event."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from health_programme_kit import odgj, person, post, pregnancy
from health_testkit import OTHER_DESA, TODAY
from sqlalchemy import func, select

from simpul_health.events import TOPIC
from simpul_platform.outbox import outbox_table
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration
DAY = TODAY - timedelta(days=40)
CASES = "/v1/mental-health/cases"


async def test_only_the_dinas_kesehatan_reads_an_hiv_group_and_result(health):
    """A kader sees that a person was tested, and when, to follow up; never the group, the
    kind of test (an ELISA hints at a reactive rapid test) or the result."""
    pid = await health.posyandu()
    man = await person(health, pid, date(1988, 6, 1), "M", 5)
    record = await post(
        health, "/v1/hiv/at-risk", {"target_id": man, "risk_group": "msm", "identified_on": DAY}
    )
    url = f"/v1/hiv/at-risk/{record['id']}"
    body = {"tested_on": DAY.isoformat(), "test": "rapid", "result": "reactive"}
    by_kader = await health.client.post(f"{url}/test", json=body, headers=health.kader)
    assert by_kader.status_code == 200, by_kader.text
    for response in (
        by_kader,
        await health.client.get(url, headers=health.kader),
    ):
        seen = response.json()
        assert (seen["risk_group"], seen["test"], seen["result"]) == (None, None, None)
        assert (seen["tested"], seen["tested_on"], seen["tested_to_standard"]) == (
            True,
            DAY.isoformat(),
            True,
        )
    [listed] = (await health.client.get("/v1/hiv/at-risk", headers=health.kader)).json()
    assert (listed["risk_group"], listed["result"], listed["tested"]) == (None, None, True)
    registered = await health.client.post(
        "/v1/hiv/at-risk",
        json={"target_id": man, "risk_group": "sti_patient", "identified_on": TODAY.isoformat()},
        headers=health.kader,
    )
    assert registered.json()["risk_group"] is None  # not even the one the kader sent back
    opd = (await health.client.get(url, headers=health.opd)).json()
    assert (opd["risk_group"], opd["test"], opd["result"]) == ("msm", "rapid", "reactive")
    [_, opd_listed] = (await health.client.get("/v1/hiv/at-risk", headers=health.opd)).json()
    assert (opd_listed["risk_group"], opd_listed["result"]) == ("msm", "reactive")


async def test_person_level_routes_are_for_health_roles_in_their_wilayah(health):
    pid = await health.posyandu()
    elsewhere = await health.posyandu("Posyandu Melati", OTHER_DESA)
    here = await person(health, pid, date(1980, 1, 1), "M", 6)
    there = await person(health, elsewhere, date(1981, 1, 1), "M", 7)
    ids = {
        "/v1/mental-health/cases": (
            await post(
                health, CASES, {"target_id": there, "diagnosis": "F20.0", "registered_on": DAY}
            )
        )["id"],
        "/v1/tb/presumptives": (
            await post(
                health,
                "/v1/tb/presumptives",
                {"target_id": there, "identified_on": DAY, "symptoms": ["fever"]},
            )
        )["id"],
        "/v1/hiv/at-risk": (
            await post(
                health,
                "/v1/hiv/at-risk",
                {"target_id": there, "risk_group": "prisoner", "identified_on": DAY},
            )
        )["id"],
    }
    dpmd = health.dpmd
    for url, record in ids.items():
        for response in (
            await health.client.get(url, headers=dpmd),
            await health.client.get(f"{url}/{record}", headers=dpmd),
            await health.client.post(url, json={"target_id": here}, headers=dpmd),
        ):
            assert response.status_code == 403, (url, response.text)
        # The kader of another desa: the record is not found, the list is empty.
        assert (await health.client.get(f"{url}/{record}", headers=health.kader)).status_code == 404
        assert (await health.client.get(url, headers=health.kader)).json() == []
        assert len((await health.client.get(url, headers=health.opd)).json()) == 1
    patch = await health.client.patch(
        f"{CASES}/{ids[CASES]}", json={"restrained": True}, headers=dpmd
    )
    assert patch.status_code == 403
    hidden = await health.client.post(
        f"/v1/tb/presumptives/{ids['/v1/tb/presumptives']}/examination",
        json={"examined_on": DAY.isoformat(), "examination": "tcm", "result": "mtb_detected"},
        headers=health.kader,
    )
    assert hidden.status_code == 404


async def test_no_programme_write_puts_anything_in_the_outbox(health):
    """Nothing of a severe mental disorder, presumptive TB or HIV risk leaves health: the
    writes stage no event (the outbox is the only way onto Kafka)."""
    pid = await health.posyandu()
    woman = await person(health, pid, date(1994, 2, 2), "F", 8)
    await pregnancy(health, woman, DAY)
    db = health.app.state.db

    async def outbox() -> list[tuple[str, str]]:
        async with db.sessions() as session:
            rows = await session.execute(select(outbox_table.c.event_type, outbox_table.c.data))
            return [tuple(r) for r in rows]

    before = await outbox()
    case = await odgj(health, woman, DAY, [(DAY + timedelta(days=1), True)])
    await health.client.patch(
        f"{CASES}/{case}",
        json={"status": "moved", "closed_on": (DAY + timedelta(days=2)).isoformat()},
        headers=health.opd,
    )
    tb = await post(
        health,
        "/v1/tb/presumptives",
        {"target_id": woman, "identified_on": DAY, "symptoms": ["fever"]},
    )
    await post(
        health,
        f"/v1/tb/presumptives/{tb['id']}/examination",
        {"examined_on": DAY, "examination": "tcm", "result": "mtb_detected"},
        200,
    )
    hiv = await post(
        health,
        "/v1/hiv/at-risk",
        {"target_id": woman, "risk_group": "pregnant", "identified_on": DAY},
    )
    await post(
        health,
        f"/v1/hiv/at-risk/{hiv['id']}/test",
        {"tested_on": DAY, "test": "rapid", "result": "reactive"},
        200,
    )
    assert await outbox() == before
    # A write that does publish, as a control: the outbox and the topic carry it, and only it.
    screening = await health.client.post(
        "/v1/screenings",
        json={"target_id": woman, "screened_on": DAY.isoformat(), "systolic": 120, "diastolic": 80},
        headers=health.opd,
    )
    assert screening.status_code == 201, screening.text
    after = await outbox()
    assert [t for t, _ in after[len(before) :]] == ["health.screening.recorded.v1"]
    async with db.sessions() as session:
        total = (await session.execute(select(func.count()).select_from(outbox_table))).scalar_one()
    envelopes = await read_envelopes(
        health.settings.kafka_bootstrap_servers,
        health.settings.topic(TOPIC),
        expected=total,
        timeout=20,
    )
    assert len(envelopes) == total
    assert "health.screening.recorded.v1" in {e.type for e in envelopes}
    on_the_wire = [json.dumps(e.data) for e in envelopes]
    secrets = (case, tb["id"], hiv["id"], "F20.0", "mtb_detected")
    assert not any(x in data for data in on_the_wire for x in secrets)
