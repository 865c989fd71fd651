import time, uuid, random
from datetime import UTC, datetime
from sqlalchemy import insert
from simpul_platform.devstack.population import generate_kukar
from simpul_platform.replica import posyandu_replica
from simpul_trantib.demo import load_demo
import pytest
pytestmark = pytest.mark.integration

async def test_full(trantib) -> None:
    db = trantib.app.state.db
    rng = random.Random(1)
    now = datetime.now(UTC)
    rows = []
    for p in generate_kukar():
        rows.append({"posyandu_id": str(uuid.UUID(int=rng.getrandbits(128))), "name": p.name[:120], "desa_code": p.desa_code,
                     "kecamatan_code": p.desa_code[:8], "kabupaten_code": "64.02", "status": p.status,
                     "fields": "health", "registration_number": None, "version": 1, "last_event_at": now,
                     "last_event_id": str(uuid.uuid4()), "updated_at": now})
    async with db.sessions() as s:
        await s.execute(insert(posyandu_replica), rows)
        await s.commit()
    t = time.monotonic()
    counts = await load_demo(db, trantib.settings)
    print("ELAPSED", time.monotonic() - t)
    print(dict(sorted(counts.items())))
