"""Pengurus and kader by NIK, staffing gaps, and what reaches Kafka (no NIK, no names, in order)."""

from __future__ import annotations

from typing import Any

import pytest
from registry_testkit import DOCUMENTS, Registry

from simpul_platform.errors import Conflict
from simpul_platform.outbox import Outbox
from simpul_platform.pseudonym import person_ref
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.uow import UnitOfWork
from simpul_registry.events import TOPIC
from simpul_registry.models import Person, Posyandu
from simpul_registry.ops.people import assign_people, people_of
from simpul_registry.schemas import PersonIn

pytestmark = pytest.mark.integration
WOMAN_NIK = "6402065708850002"  # born 17-08-1985, day + 40
MAN_NIK = "6402061708850001"


def person(
    nik: str, name: str, role: str, field: str | None = None, **extra: str
) -> dict[str, Any]:
    return {"nik": nik, "name": name, "role": role, "field": field,
            "start_date": "2025-01-01", **extra}


async def test_people_nik_rules_staffing_and_events(relayed_registry: Registry,
                                                    kafka_broker: Any) -> None:
    registry = relayed_registry
    p = await registry.create(fields=["health", "education"])
    pid, people = p["id"], f"/v1/posyandu/{p['id']}/people"
    post = registry.client.post
    bad_date = await post(people, headers=registry.dpmd,
                          json=person("6402063213850001", "Budi", "kader", "health"))
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "nik"
    assert bad_date.json()["errors"][0]["rule"] == "nik_birth_date"
    unknown_province = await post(people, headers=registry.dpmd,
                                  json=person("9902061708850001", "Budi", "kader", "health"))
    assert unknown_province.json()["errors"][0]["rule"] == "nik_unknown_province"
    wrong_gender = await post(people, headers=registry.dpmd,
                              json=person(WOMAN_NIK, "Siti Aminah", "kader", "health", gender="L"))
    assert wrong_gender.json()["errors"][0]["rule"] == "nik_gender_mismatch"
    no_field = await post(people, headers=registry.dpmd, json=person(MAN_NIK, "Budi", "kader"))
    assert no_field.json()["errors"][0]["rule"] == "field_required"
    not_run = await post(people, headers=registry.dpmd,
                         json=person(MAN_NIK, "Budi", "kader", "trantib"))
    assert not_run.json()["errors"][0]["rule"] == "field_not_run"

    woman = await post(people, headers=registry.dpmd,
                       json=person(WOMAN_NIK, "Siti Aminah", "kader", "health", gender="P"))
    assert woman.status_code == 201, woman.text
    siti = woman.json()
    assert (siti["gender"], siti["birth_date"], siti["active"]) == ("P", "1985-08-17", True)
    assert siti["nik_masked"] == "640206********02" and "nik" not in siti
    assert siti["created_by"] == "dpmd-kukar"
    head = await post(people, headers=registry.dpmd,
                      json=person(MAN_NIK, "Budi Santoso", "ketua_bidang", "education"))
    assert head.status_code == 201
    second_head = await post(people, headers=registry.dpmd,
                             json=person("6402061708850003", "Joko", "ketua_bidang", "education"))
    assert second_head.status_code == 409
    staffing = (await registry.client.get(f"/v1/posyandu/{pid}/staffing",
                                          headers=registry.tp)).json()
    assert staffing == [
        {"field": "health", "ketua_bidang": None, "active_kader": 1,
         "missing_ketua_bidang": True, "no_kader": False},
        {"field": "education", "ketua_bidang": head.json()["id"], "active_kader": 0,
         "missing_ketua_bidang": False, "no_kader": True},
    ]
    released = await post(f"{people}/{siti['id']}/release", headers=registry.dpmd,
                          json={"end_date": "2025-10-31"})
    assert released.json()["end_date"] == "2025-10-31" and released.json()["active"] is False
    assert (await registry.act(pid, "submit", DOCUMENTS)).status_code == 200
    patched = await registry.client.patch(f"/v1/posyandu/{pid}", headers=registry.dpmd,
                                          json={"fields": ["health", "social"], "rw": "002"})
    assert patched.json()["fields"] == ["health", "social"]

    expected = ["registry.posyandu.registered.v1", "registry.kader.assigned.v1",
                "registry.kader.assigned.v1", "registry.kader.released.v1",
                "registry.posyandu.status_changed.v1", "registry.posyandu.updated.v1",
                "registry.posyandu.fields_changed.v1"]
    events = await read_envelopes(kafka_broker.bootstrap_servers,
                                  registry.settings.topic(TOPIC), expected=len(expected))
    assert [e.type for e in events] == expected  # one key, one partition, publication order
    assert {e.posyandu_id for e in events} == {pid}
    assert {e.wilayah for e in events} == {"64.02.06.2012"}
    secret = registry.settings.pseudonym_secret
    assert events[1].data == {"posyandu_id": pid, "person_ref": person_ref(secret, WOMAN_NIK),
                              "role": "kader", "field": "health", "start_date": "2025-01-01"}
    assert events[3].data["end_date"] == "2025-10-31"
    assert events[6].data["added"] == ["social"] and events[6].data["removed"] == ["education"]
    assert events[5].data["changed"] == ["rw"]
    raw = repr([(e.data, e.subject, e.extra) for e in events])
    for secret_text in (WOMAN_NIK, MAN_NIK, "Siti", "Budi", "Aminah"):
        assert secret_text not in raw


async def test_people_assigned_together_are_checked_against_one_another(
    registry: Registry,
) -> None:
    p = await registry.create(fields=["health", "education"])
    db = registry.app.state.db
    secret = registry.settings.pseudonym_secret

    async def assign(*people: dict[str, Any]) -> list[Person]:
        async with db.sessions() as session:
            uow = UnitOfWork(session, Outbox(registry.settings))
            posyandu = await session.get(Posyandu, p["id"])
            assert posyandu is not None
            body = [PersonIn.model_validate(x) for x in people]
            assigned = await assign_people(uow, posyandu, body, "tester", secret)
            await uow.commit()
            return assigned

    heads = (person(MAN_NIK, "Budi", "ketua_bidang", "education"),
             person("6402061708850003", "Joko", "ketua_bidang", "education"))
    with pytest.raises(Conflict, match="already has an active ketua_bidang"):
        await assign(*heads)
    twice = (person(WOMAN_NIK, "Siti", "kader", "health", gender="P"),
             person(WOMAN_NIK, "Siti", "kader", "education", gender="P"))
    with pytest.raises(Conflict, match="already holds an open role"):
        await assign(*twice)
    released = person("6402061708850003", "Joko", "ketua_bidang", "education",
                      end_date="2025-06-30")
    done = await assign(released, heads[0], twice[0])  # a released head is no open role
    assert [(x.role, x.nik) for x in done] == [
        ("ketua_bidang", "6402061708850003"), ("ketua_bidang", MAN_NIK), ("kader", WOMAN_NIK)]
    async with db.sessions() as session:
        assert len(await people_of(session, p["id"])) == 3  # the refused batches wrote nothing
