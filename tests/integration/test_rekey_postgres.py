"""Rotating the pseudonym secret over real PostgreSQL, with health's and social's real schemas
(their migrations): health keeps children's NIK and No. KK beside their references; social keeps
a household's No. KK, and references of children it learned only from health's events. After
``export`` in both and ``apply`` in both, the two services join again under the new secret.

The command runs in this process (``main``), as the image runs it: settings from the
environment, the new secret from a named variable."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from simpul_platform.db import Database
from simpul_platform.migrations import upgrade
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.referrals.tables import need_key
from simpul_platform.rekey import service_tables
from simpul_platform.rekey.__main__ import UNMAPPED, main, service_spec
from simpul_platform.testing.stack import TEST_JWT_SECRET

pytestmark = pytest.mark.integration

OLD, NEW = "the-pseudonym-secret-before-rotation", "the-pseudonym-secret-after-rotation"
NIK_A, KK_A = "6402061234560001", "6402069876540001"  # known to health and (KK) social
NIK_B = "6402061234560002"  # known to health only
NIK_C = "6402061234560003"  # known to no service: its reference can never be mapped
NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)
PLACE = {"posyandu_id": "p-1", "desa_code": "64.02.06.2001"}


@dataclass
class Databases:
    health: str
    social: str


@pytest.fixture
def databases(postgres_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Databases]:
    names = [f"t_rekey_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    urls = Databases(*(postgres_server.create_database(name) for name in names))
    for variable, value in {
        "HEALTH_DATABASE_URL": urls.health,
        "SOCIAL_DATABASE_URL": urls.social,
        "SIMPUL_ENVIRONMENT": "test",
        "SIMPUL_JWT_SECRET": TEST_JWT_SECRET,
        "SIMPUL_PSEUDONYM_SECRET": OLD,
        "NEW_PSEUDONYM_SECRET": NEW,
    }.items():
        monkeypatch.setenv(variable, value)
    asyncio.run(_migrate_and_seed(urls))
    yield urls
    for name in names:
        postgres_server.drop_database(name)


async def _migrate_and_seed(urls: Databases) -> None:
    for service, url in (("health", urls.health), ("social", urls.social)):
        migrations = service_spec(service).migrations_dir
        assert migrations is not None
        await upgrade(migrations, url)
    await _insert(urls.health, "health", _health_rows())
    await _insert(urls.social, "social", _social_rows())


async def _insert(url: str, service: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
    tables = service_tables(service_spec(service))
    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            for table, row in rows:
                await session.execute(insert(tables[table]).values(**row))
    finally:
        await db.dispose()


def _health_rows() -> list[tuple[str, dict[str, Any]]]:
    def child(nik: str, kk: str | None) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()), "nik": nik, "kk": kk, "name": "Anak", "sex": "P",
            "birth_date": date(2024, 5, 1), "kecamatan_code": "64.02.06",
            "kabupaten_code": "64.02", "person_ref": person_ref(OLD, nik),
            "household_ref": household_ref(OLD, kk) if kk else None, "created_by": "t",
            "created_at": NOW, "updated_by": "t", "updated_at": NOW, **PLACE,
        }  # fmt: skip

    referral = {
        "id": str(uuid.uuid4()), "direction": "outgoing", "source_field": "health",
        "target_field": "social", "automatic": False, "kecamatan_code": "64.02.06",
        "reason_code": "gizi", "details": {}, "person_ref": person_ref(OLD, NIK_A),
        "household_ref": household_ref(OLD, KK_A), "nik": NIK_A, "no_kk": KK_A,
        "need_key": need_key(
            "health", "social", "gizi", person_ref(OLD, NIK_A), household_ref(OLD, KK_A)
        ),
        "status": "requested", "requested_on": date(2026, 12, 1), "due_on": date(2026, 12, 8),
        "requested_by": "t", "created_at": NOW, "updated_at": NOW, **PLACE,
    }  # fmt: skip
    return [
        ("targets", child(NIK_A, KK_A)),
        ("targets", child(NIK_B, None)),
        ("referral", referral),
    ]


def _social_rows() -> list[tuple[str, dict[str, Any]]]:
    household = {
        "id": "h-1", "kk": KK_A, "household_ref": household_ref(OLD, KK_A), "address": "Jl. 1",
        "created_by": "t", "created_at": NOW, "updated_by": "t", "updated_at": NOW, **PLACE,
    }  # fmt: skip

    def lead(nik: str) -> dict[str, Any]:  # what social learned from health's stunting event
        return {
            "id": str(uuid.uuid4()), "stunting_episode_id": f"e-{nik}", "reason": "no_household",
            "child_person_ref": person_ref(OLD, nik), "severity": "stunted",
            "measurement_id": "m", "detected_on": date(2026, 11, 30), "status": "open",
            "created_at": NOW, **PLACE,
        }  # fmt: skip

    priority = {
        "id": "c-1", "stunting_episode_id": "e-a", "household_id": "h-1",
        "household_ref": household_ref(OLD, KK_A), "child_person_ref": person_ref(OLD, NIK_A),
        "decile": 1, "severity": "stunted", "detection_measurement_id": "m",
        "detected_on": date(2026, 11, 30), "due_on": date(2026, 12, 7), "status": "open",
        "opened_at": NOW, "updated_at": NOW, **PLACE,
    }  # fmt: skip
    return [
        ("household", household),
        ("priority_case", priority),
        ("stunting_lead", lead(NIK_B)),
        ("stunting_lead", lead(NIK_C)),
    ]


async def _snapshot(url: str, service: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every declared table's reference columns, sorted: what a re-key may change."""
    tables = service_tables(service_spec(service))
    names = {
        "health": {"targets": ("nik", "person_ref", "household_ref"), "referral": (
            "person_ref", "household_ref", "need_key")},
        "social": {"household": ("kk", "household_ref"), "priority_case": (
            "household_ref", "child_person_ref"), "stunting_lead": ("child_person_ref",)},
    }[service]  # fmt: skip
    db = Database(url, pool_size=1)
    try:
        async with db.sessions() as session:
            return {
                table: sorted(
                    tuple(row)
                    for row in await session.execute(select(*(tables[table].c[c] for c in columns)))
                )
                for table, columns in names.items()
            }
    finally:
        await db.dispose()


def snapshot(url: str, service: str) -> dict[str, list[tuple[Any, ...]]]:
    return asyncio.run(_snapshot(url, service))


def rekey(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exc:  # a refusal: its message is the exit status's reason
        print(exc.code)
        return 1


def test_health_and_social_join_again_under_the_new_secret(
    databases: Databases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    health_map, social_map = tmp_path / "health.csv", tmp_path / "social.csv"
    new = "--new-secret-env", "NEW_PSEUDONYM_SECRET"
    assert rekey("export", "health", *new, "--out", str(health_map)) == 0
    assert rekey("export", "social", *new, "--out", str(social_map)) == 0
    assert NIK_A not in health_map.read_text() and KK_A not in social_map.read_text()
    before = {s: snapshot(getattr(databases, s), s) for s in ("health", "social")}
    maps = ("--map", str(health_map), "--map", str(social_map))
    capsys.readouterr()

    # Without health's map, social cannot re-key the children it only knows from events.
    assert rekey("apply", "social", *new, "--map", str(social_map)) == UNMAPPED
    assert "stunting_lead.child_person_ref: 0 rows; 2 references unmapped" in capsys.readouterr()[0]
    assert snapshot(databases.social, "social") == before["social"]  # all or nothing
    # A dry run with every map reports and changes nothing; C is known to no service.
    assert rekey("apply", "social", *new, *maps, "--dry-run") == UNMAPPED
    report = capsys.readouterr()[0]
    assert "social: would change 4 rows" in report
    assert "stunting_lead.child_person_ref: 1 rows; 1 references unmapped in 1 rows" in report
    assert snapshot(databases.social, "social") == before["social"]

    assert rekey("apply", "social", *new, *maps, "--allow-unmapped") == 0
    assert "social: changed 4 rows" in capsys.readouterr()[0]
    assert rekey("apply", "health", *new, *maps) == 0
    assert "health: changed 6 rows" in capsys.readouterr()[0]

    health, social = snapshot(databases.health, "health"), snapshot(databases.social, "social")
    person_a, house_a = person_ref(NEW, NIK_A), household_ref(NEW, KK_A)
    assert (NIK_A, person_a, house_a) in health["targets"]
    assert (NIK_B, person_ref(NEW, NIK_B), None) in health["targets"]
    assert health["referral"] == [
        (person_a, house_a, need_key("health", "social", "gizi", person_a, house_a))
    ]
    assert social["household"] == [(KK_A, house_a)]
    assert social["priority_case"] == [(house_a, person_a)]
    assert sorted(social["stunting_lead"]) == sorted(
        [(person_ref(NEW, NIK_B),), (person_ref(OLD, NIK_C),)]  # C unmapped: left as it was
    )

    # Applying again changes nothing: every reference is recognised as new already.
    assert rekey("apply", "social", *new, *maps, "--allow-unmapped") == 0
    assert rekey("apply", "health", *new, *maps) == 0
    assert "changed 0 rows" in capsys.readouterr()[0]
    assert snapshot(databases.social, "social") == social
    assert snapshot(databases.health, "health") == health


def test_export_and_apply_refuse_what_would_make_a_wrong_rotation(
    databases: Databases, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    health_map = tmp_path / "health.csv"
    new = "--new-secret-env", "NEW_PSEUDONYM_SECRET"

    # The wrong current secret: the stored references are not its HMACs, so no map is made.
    monkeypatch.setenv("SIMPUL_PSEUDONYM_SECRET", "not-the-secret-the-rows-were-made-with")
    assert rekey("export", "health", *new, "--out", str(health_map)) == 1
    assert "targets.person_ref: 2 references are not the current secret's" in capsys.readouterr()[1]
    assert not health_map.exists()
    monkeypatch.setenv("SIMPUL_PSEUDONYM_SECRET", OLD)
    monkeypatch.setenv("SAME_SECRET", OLD)
    assert rekey("export", "health", "--new-secret-env", "SAME_SECRET", "--out", "x") == 1
    assert rekey("export", "health", "--new-secret-env", "UNSET_VARIABLE", "--out", "x") == 1

    # An event still in the outbox would leave with old references after the rotation.
    assert rekey("export", "health", *new, "--out", str(health_map)) == 0
    asyncio.run(_pending_event(databases.health))
    before = snapshot(databases.health, "health")
    assert rekey("apply", "health", *new, "--map", str(health_map)) == 1
    assert "1 outbox events are not sent yet" in capsys.readouterr()[0]
    assert snapshot(databases.health, "health") == before


async def _pending_event(url: str) -> None:
    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            await session.execute(
                insert(outbox_table).values(
                    event_id=str(uuid.uuid4()),
                    topic="simpul.health.v1",
                    event_type="t",
                    source="health",
                    occurred_at=NOW,
                    data="{}",
                    created_at=NOW,
                    attempts=0,
                )
            )
    finally:
        await db.dispose()
