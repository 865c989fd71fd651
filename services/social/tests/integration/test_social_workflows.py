"""The usulan workflow and PPKS cases: transitions, rejections, history, events."""

from __future__ import annotations

import pytest
from social_testkit import Social

from simpul_platform.clock import local_today
from simpul_platform.testing.kafka_reader import read_envelopes

pytestmark = pytest.mark.integration


def _today(social: Social) -> str:
    """The deployment's date: a musdes dated by UTC would be "in the future" after 16:00 UTC."""
    return local_today(social.settings).isoformat()


async def test_usulan_from_kader_to_dinas_sosial(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    household = await social.household(posyandu_id, "6402061234560001")
    proposed = await social.client.post(
        "/v1/usulan",
        headers=social.kader,
        json={"household_id": household["id"], "reason": "Kepala keluarga sakit"},
    )
    assert proposed.status_code == 201 and proposed.json()["status"] == "proposed"
    url = f"/v1/usulan/{proposed.json()['id']}"
    twice = await social.client.post(
        "/v1/usulan", headers=social.kader, json={"household_id": household["id"], "reason": "lagi"}
    )
    assert twice.status_code == 409
    early = await social.client.post(f"{url}/validate", json={}, headers=social.opd)
    assert early.status_code == 409 and early.json()["allowed_actions"] == ["verify", "reject"]
    assert early.json()["allowed"] == ["verify", "reject"]
    assert early.json()["current_status"] == "proposed" and early.json()["status"] == 409
    desa = social.auth(["desa"], ["64.02.06.2012"], sub="operator-desa")
    verified = await social.client.post(
        f"{url}/verify",
        headers=desa,
        json={
            "musdes_date": local_today(social.settings).isoformat(),
            "musdes_reference": "BA-MUSDES/11/2026",
        },
    )
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    kader_validates = await social.client.post(f"{url}/validate", json={}, headers=social.kader)
    assert kader_validates.status_code == 403
    desa_rejects = await social.client.post(
        f"{url}/reject", json={"reason": "tidak layak"}, headers=desa
    )
    assert desa_rejects.status_code == 403  # once verified, only Dinas Sosial decides
    validated = await social.client.post(f"{url}/validate", json={"decile": 2}, headers=social.opd)
    assert validated.status_code == 200, validated.text
    body = validated.json()
    assert body["status"] == "validated"
    assert [(h["action"], h["actor"]) for h in body["history"]] == [
        ("propose", "kader-rapak"),
        ("verify", "operator-desa"),
        ("validate", "dinsos-kukar"),
    ]
    again = await social.client.post(f"{url}/reject", json={"reason": "x" * 5}, headers=social.opd)
    assert again.status_code == 409
    detail = await social.client.get(f"/v1/households/{household['id']}", headers=social.opd)
    assert detail.json()["decile"] == 2 and detail.json()["decile_source"] == "usulan"
    topic = social.settings.topic("simpul.social.v1")
    events = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=4)
    assert [e.type for e in events] == [
        "social.household.proposed.v1",
        "social.household.verified.v1",
        "social.household.validated.v1",
        "social.household.assessed.v1",
    ]


async def test_usulan_rejections_keep_history(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    household = await social.household(posyandu_id, "6402061234560001")
    for stage in ("desa", "dinas_sosial"):
        proposed = await social.client.post(
            "/v1/usulan",
            headers=social.kader,
            json={"household_id": household["id"], "reason": "Penghasilan tidak tetap"},
        )
        assert proposed.status_code == 201  # a new usulan after a rejection is allowed
        url = f"/v1/usulan/{proposed.json()['id']}"
        if stage == "dinas_sosial":
            await social.client.post(
                f"{url}/verify",
                headers=social.kader,
                json={
                    "musdes_date": local_today(social.settings).isoformat(),
                    "musdes_reference": "BA/1",
                },
            )
        no_reason = await social.client.post(f"{url}/reject", json={}, headers=social.opd)
        assert no_reason.status_code == 422
        rejected = await social.client.post(
            f"{url}/reject", headers=social.opd, json={"reason": "Memiliki kendaraan roda empat"}
        )
        assert rejected.status_code == 200
        assert rejected.json()["rejection_reason"] == "Memiliki kendaraan roda empat"
        assert rejected.json()["history"][-1]["action"] == "reject"
    listed = await social.client.get(
        "/v1/usulan", params={"status": "rejected"}, headers=social.opd
    )
    assert len(listed.json()) == 2
    topic = social.settings.topic("simpul.social.v1")
    events = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=5)
    rejected_events = [e.data for e in events if e.type == "social.household.rejected.v1"]
    assert [e["stage"] for e in rejected_events] == ["desa", "dinas_sosial"]


async def test_ppks_case_lifecycle(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    created = await social.client.post(
        "/v1/ppks-cases",
        headers=social.kader,
        json={
            "category": "lansia_telantar",
            "posyandu_id": posyandu_id,
            "name": "Mbah Karto",
            "nik": "6402060101400001",
            "identified_on": "2026-11-02",
        },
    )
    assert created.status_code == 201, created.text
    url = f"/v1/ppks-cases/{created.json()['id']}"
    too_early = await social.client.post(
        f"{url}/close",
        headers=social.opd,
        json={"closed_on": "2026-11-03", "outcome": "rehabilitated"},
    )
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["rule"] == "not_served"
    skip = await social.client.post(
        f"{url}/serve",
        headers=social.opd,
        json={"served_on": "2026-11-03", "service": "permakanan"},
    )
    assert skip.status_code == 409 and skip.json()["allowed_actions"] == ["assess", "close"]
    assert skip.json()["allowed"] == ["assess", "close"]
    assert skip.json()["current_status"] == "identified"
    before = await social.client.post(
        f"{url}/assess", headers=social.opd, json={"assessed_on": "2026-11-01", "needs": "makan"}
    )
    assert before.status_code == 422
    assert before.json()["errors"][0]["rule"] == "before_previous_step"
    for step, body in [
        ("assess", {"assessed_on": "2026-11-03", "needs": "makan"}),
        ("serve", {"served_on": "2026-11-05", "service": "permakanan"}),
        ("close", {"closed_on": "2026-11-20", "outcome": "rehabilitated"}),
    ]:
        response = await social.client.post(f"{url}/{step}", json=body, headers=social.opd)
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "closed" and response.json()["outcome"] == "rehabilitated"
    topic = social.settings.topic("simpul.social.v1")
    events = await read_envelopes(social.settings.kafka_bootstrap_servers, topic, expected=2)
    assert [e.type for e in events] == ["social.case.opened.v1", "social.case.closed.v1"]
    assert all("Karto" not in str(e.data) and "6402060101400001" not in str(e.data) for e in events)
    assert events[1].data["served"] is True
    homeless = await social.client.post(
        "/v1/ppks-cases",
        headers=social.kader,
        json={
            "category": "gelandangan_pengemis",
            "posyandu_id": "nope",
            "name": "Tanpa nama",
            "identified_on": "2026-11-02",
        },
    )
    assert homeless.status_code == 422
    assert homeless.json()["errors"][0]["rule"] == "unknown_posyandu"
