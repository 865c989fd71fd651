"""Demo data for Kutai Kartanegara (64.02): 827 posyandu over its real 20 kecamatan and their desa.

``generate_kukar(seed)`` is deterministic and pure (benchmarks reuse it); ``load_demo`` writes it
into the registry's own database through the service's own write operations (the same code the
API runs: validation, history, attribution, outbox events), in batches of one transaction each.
That is much faster than ~10,000 HTTP calls and needs no running server. Loading is skipped when
the kabupaten already has posyandu, so running it twice is harmless.

    python -m simpul_registry.demo          # reads REGISTRY_* / SIMPUL_* like the service
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import col, select

from simpul_platform.db import Database
from simpul_platform.migrations import upgrade
from simpul_platform.outbox import Outbox
from simpul_platform.uow import UnitOfWork
from simpul_registry import wilayah
from simpul_registry.domain.fields import SpmField
from simpul_registry.domain.lifecycle import Action
from simpul_registry.models import Posyandu, Target
from simpul_registry.ops.lifecycle import apply_action
from simpul_registry.ops.people import assign_person
from simpul_registry.ops.posyandu import create_posyandu
from simpul_registry.schemas import PersonIn, PosyanduIn, SubmitIn
from simpul_registry.settings import RegistrySettings

KUKAR = "64.02"
KUKAR_TARGET = 827
FINISHING = {"64.02.10", "64.02.12"}  # Kembang Janggut, Tabang: still in verification
FLOWERS = ["Mawar", "Melati", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Teratai", "Flamboyan",
           "Seroja", "Bougenville", "Kamboja", "Tulip", "Lili", "Asoka", "Nusa Indah"]
NAMES = ["Siti", "Nur", "Rahmawati", "Aminah", "Dewi", "Sri", "Budi", "Agus", "Rina", "Yuli",
         "Hasanah", "Wahyuni", "Fitri", "Lestari", "Andi", "Rudi"]
STATUS_WEIGHTS = {"draft": 12, "submitted": 10, "verified": 13, "registered": 60, "inactive": 5}
ACTIONS_TO = {
    "draft": [], "submitted": [Action.submit], "verified": [Action.submit, Action.verify],
    "registered": [Action.submit, Action.verify, Action.register],
    "inactive": [Action.submit, Action.verify, Action.register, Action.deactivate],
}
DOCUMENTS = SubmitIn(sk_tp_number="141/SK-TP/2025", sk_tp_date=date(2025, 7, 1),
                     sk_kepengurusan_number="141/SK-KP/2025",
                     sk_kepengurusan_date=date(2025, 7, 2), rekap_number="REKAP/2025",
                     rekap_date=date(2025, 7, 3))


@dataclass
class DemoPosyandu:
    data: PosyanduIn
    status: str
    registration_number: str | None
    people: list[PersonIn] = field(default_factory=list)


def _nik(rng: random.Random, kecamatan: str, serial: int, woman: bool) -> str:
    day = rng.randint(1, 28) + (40 if woman else 0)
    born = f"{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99) % 100:02d}"
    return kecamatan.replace(".", "") + born + f"{serial % 9999 + 1:04d}"


def _person(rng: random.Random, kecamatan: str, serial: int, role: str,
            spm: str | None) -> PersonIn:
    woman = rng.random() < 0.8
    name = f"{rng.choice(NAMES)} {rng.choice(NAMES)}"
    return PersonIn(nik=_nik(rng, kecamatan, serial, woman), name=name,
                    gender="P" if woman else "L", role=role,
                    field=spm,
                    start_date=date(2025, rng.randint(1, 6), 1))


def generate_kukar(seed: int = 827, count: int = KUKAR_TARGET) -> list[DemoPosyandu]:
    """``count`` posyandu over Kukar's real desa, mixed statuses, kader per field; deterministic."""
    rng = random.Random(seed)
    desa = [d for k in wilayah.children(KUKAR) for d in wilayah.children(k.code)]
    places = [desa[i % len(desa)] for i in range(count)]  # every desa first, then again
    per_desa: dict[str, int] = {}
    serial = 0
    out: list[DemoPosyandu] = []
    for place in places:
        per_desa[place.code] = per_desa.get(place.code, 0) + 1
        n = per_desa[place.code]
        kecamatan = place.code[:8]
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        if kecamatan in FINISHING:
            status = rng.choice(["submitted", "verified"])
        fields = ["health", *sorted(rng.sample([f.value for f in SpmField][1:], rng.randint(2, 5)))]
        data = PosyanduIn(
            name=f"Posyandu {FLOWERS[(n - 1) % len(FLOWERS)]} {n}", desa_code=place.code,
            dusun=f"Dusun {rng.randint(1, 5)}", rt=f"{rng.randint(1, 20):03d}",
            rw=f"{rng.randint(1, 6):03d}", latitude=round(rng.uniform(-1.2, 0.9), 5),
            longitude=round(rng.uniform(115.5, 117.6), 5),
            fields=fields,
        )
        people = [_person(rng, kecamatan, serial := serial + 1, role, None)
                  for role in ("ketua", "sekretaris", "bendahara")]
        for spm in fields:
            if rng.random() < 0.9:
                people.append(_person(rng, kecamatan, serial := serial + 1, "ketua_bidang", spm))
            people += [_person(rng, kecamatan, serial := serial + 1, "kader", spm)
                       for _ in range(rng.choice([0, 1, 2, 2, 3]))]
        number = f"{place.code}.{n:03d}" if status in ("registered", "inactive") else None
        out.append(DemoPosyandu(data, status, number, people))
    return out


async def load_demo(db: Database, settings: RegistrySettings, *, seed: int = 827,
                    count: int = KUKAR_TARGET, batch: int = 50, actor: str = "demo-loader",
                    progress: bool = False) -> int:
    """Write the demo into the registry's database; returns how many posyandu were created."""
    async with db.sessions() as session:
        existing = (await session.exec(select(func.count()).select_from(Posyandu)
                                       .where(col(Posyandu.kabupaten_code) == KUKAR))).one()
    if existing:
        return 0
    items = generate_kukar(seed, count)
    outbox = Outbox(settings)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(items), unit="posyandu", desc="demo Kukar")
    for start in range(0, len(items), batch):
        async with db.sessions() as session:
            uow = UnitOfWork(session, outbox)
            for item in items[start:start + batch]:
                p = await create_posyandu(uow, item.data, actor)
                for person in item.people:
                    await assign_person(uow, p, person, actor, settings.pseudonym_secret)
                for action in ACTIONS_TO[item.status]:
                    await apply_action(
                        uow, p, action, actor, documents=DOCUMENTS,
                        registration_number=item.registration_number,
                        reason="demo" if action is Action.deactivate else None)
            await uow.commit()
        if bar is not None:
            bar.update(min(batch, len(items) - start))
    if bar is not None:
        bar.close()
    await _set_kukar_target(db, actor, count)
    return len(items)


async def _set_kukar_target(db: Database, actor: str, count: int) -> None:
    """The DPMD's target: every Kukar posyandu registered by the end of October."""
    async with db.transaction() as session:
        session.add(Target(wilayah_code=KUKAR, target=count,
                           due_date=date(date.today().year, 10, 31), set_by=actor,
                           set_at=datetime.now(UTC)))


async def _main() -> None:
    from simpul_registry.app import MIGRATIONS

    settings = RegistrySettings()
    await upgrade(MIGRATIONS, settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    started = time.perf_counter()
    try:
        created = await load_demo(db, settings, progress=True)
    finally:
        await db.dispose()
    took = time.perf_counter() - started
    print(f"demo: {created} posyandu loaded into Kutai Kartanegara in {took:.1f} s"
          if created else "demo: Kutai Kartanegara already has posyandu; nothing loaded")


if __name__ == "__main__":
    asyncio.run(_main())
