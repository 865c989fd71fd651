"""The Kukar demo generator is deterministic and real; the loader uses the service's own writes."""

from __future__ import annotations

from collections import Counter

import pytest
from registry_testkit import Registry
from sqlalchemy import func
from sqlmodel import select

from simpul_platform.devstack.population import generate_kukar
from simpul_platform.outbox import outbox_table
from simpul_registry.demo import load_demo
from simpul_registry.models import Person, Posyandu

pytestmark = pytest.mark.integration


async def test_demo_generator_and_loader(registry: Registry) -> None:
    full = generate_kukar()
    assert len(full) == 827
    assert len({p.desa_code[:8] for p in full}) == 20
    assert len({p.desa_code for p in full}) == 237
    assert {p.status for p in full} == {"draft", "submitted", "verified", "registered",
                                        "inactive"}
    assert generate_kukar()[:5] == full[:5]
    db = registry.app.state.db
    assert await load_demo(db, registry.settings, count=30, batch=10) == 30
    assert await load_demo(db, registry.settings, count=30) == 0  # already loaded
    async with db.sessions() as session:
        statuses = dict((await session.exec(
            select(Posyandu.status, func.count()).group_by(Posyandu.status))).all())
        people = (await session.exec(select(func.count()).select_from(Person))).one()
        events = (await session.exec(select(func.count()).select_from(outbox_table))).one()
    assert sum(statuses.values()) == 30
    assert statuses == {s: sum(1 for p in full[:30] if p.status == s) for s in statuses}
    assert people == sum(len(p.people) for p in full[:30]) and events > 30 + people
    progress = (await registry.client.get("/v1/progress/64.02",
                                          headers=registry.dpmd)).json()
    assert progress["wilayah"]["total"] == 30
    assert progress["wilayah"]["target"] == 30  # the demo's DPMD target: all of them
    assert progress["due_date"].endswith("-10-31")
    registered = statuses.get("registered", 0)
    assert progress["wilayah"]["share_of_target"] == round(registered / 30, 4)
    # Each kecamatan has its own target: all of its posyandu, as the dashboard's bars show.
    by_kecamatan = Counter(p.desa_code[:8] for p in full[:30])
    targets = {row["code"]: row["target"] for row in progress["children"] if row["target"]}
    assert targets == by_kecamatan
