"""The demo's public-order reports and deteksi dini notes.

``ORDER_REPORTS`` disturbances of the last six months at the active posyandu, taken by Satpol
PP towards a planned end (``ORDER_ROUND``: every state from reported to closed, and rejected),
each step a few days after the one before and none after today; two in five name their
reporter (sealed with the deployment's key, seen by the handler alone), the others are
anonymous. ``NOTES`` deteksi dini notes of the last three months; the first, a high-level
one, was escalated into a report the next day and verified. One transaction per report, one
for the notes.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from simpul_platform.clock import now
from simpul_platform.uow import UnitOfWork
from simpul_trantib.demo import SATPOLPP, Demo, rounds
from simpul_trantib.ops import early_detection, order_reports, order_steps
from simpul_trantib.schemas.order import (
    CloseIn,
    EarlyDetectionIn,
    EscalateIn,
    HandleIn,
    OrderReportIn,
    RejectIn,
    ServeIn,
    VerifyIn,
)

ORDER_REPORTS = 60
ORDER_ROUND = ("reported", "verified", "handled", "served", "closed", "closed", "closed",
               "rejected")  # fmt: skip
STEPS = {
    "reported": (),
    "verified": ("verify",),
    "handled": ("verify", "handle"),
    "served": ("verify", "handle", "serve"),
    "closed": ("verify", "handle", "serve", "close"),
    "rejected": ("reject",),
}
WHAT = {  # category: (place, what a note says of it)
    "keributan": ("Lapangan desa", "Pemuda dua RT saling ejek, rawan keributan malam ini."),
    "perkelahian": ("Pasar desa", "Dua kelompok pedagang bersitegang soal lapak."),
    "miras_narkoba": ("Pos ronda RT 04", "Warga mengeluhkan pesta miras tiap malam Minggu."),
    "pkl_bangunan_liar": ("Bahu jalan poros", "Lapak PKL baru menutup bahu jalan dan parit."),
    "konflik_sosial": ("Kebun warga", "Sengketa batas lahan antarwarga memanas."),
    "orang_terlantar": ("Terminal", "Orang terlantar tidur di terminal beberapa malam."),
    "lainnya": ("Jalan desa", "Balap liar di jalan desa selepas tengah malam."),
}
REGULATIONS = ("Perda Kukar 6/2019 tentang Ketertiban Umum",
               "Perda Kukar 4/2017 tentang Minuman Beralkohol")  # fmt: skip
REJECTS = ("tidak_terbukti", "bukan_kewenangan", "dilimpahkan", "laporan_ganda")
REPORTER_SHARE = 0.4
NOTES = 20


async def seed_order(demo: Demo) -> None:
    rng = demo.rng("order")
    plans = rounds(ORDER_ROUND, ORDER_REPORTS, rng)
    for n, plan in enumerate(plans, start=1):
        place = rng.choice(demo.posyandu)

        async def write(
            uow: UnitOfWork, pid: str = place.posyandu_id, plan: str = plan, n: int = n
        ) -> None:
            await _report(uow, demo, pid, plan, n, rng)

        await demo.write(write)
        demo.counts[f"order_{plan}"] += 1
    demo.counts["order_reports"] = len(plans)
    await _notes(demo, rng)


async def _report(
    uow: UnitOfWork, demo: Demo, posyandu_id: str, plan: str, n: int, rng: random.Random
) -> None:
    today, settings = demo.today, demo.settings
    category = rng.choice(list(WHAT))
    back = rng.randint(0, 180)
    day = today - timedelta(days=back)
    hour = rng.choice([10, 14, 19, 21, 22, 23])
    occurred = datetime.combine(day, time(hour, rng.randint(0, 59)), settings.zone)
    reporter = None
    if rng.random() < REPORTER_SHARE:
        reporter = {"name": f"Pelapor {n}", "phone": f"0812{rng.randint(10_000_000, 99_999_999)}"}
    body = OrderReportIn.model_validate(
        {
            "posyandu_id": posyandu_id,
            "category": category,
            "place": WHAT[category][0],
            "occurred_at": min(occurred, _latest()),
            "reported_on": _after(day, 0, 2, today, rng),
            "source": rng.choice(["warga", "warga", "kader", "linmas"]),
            "reporter": reporter,
        }
    )
    row = await order_reports.report(uow, SATPOLPP, settings, body, today)
    on = row.reported_on
    affected = rng.randint(2, 60)
    for step in STEPS[plan]:
        if step == "verify":
            on = _after(on, 0, 3, today, rng)
            await order_steps.verify(uow, SATPOLPP, row, VerifyIn(verified_on=on, note=None), today)
        elif step == "handle":
            on = _after(on, 1, 10, today, rng)
            enforce = category in ("miras_narkoba", "pkl_bangunan_liar") or rng.random() < 0.2
            handle = HandleIn(
                handling="penegakan" if enforce else "mediasi",
                regulation=rng.choice(REGULATIONS) if enforce else None,
                affected_citizens=affected,
                handled_on=on,
                note=None,
            )
            await order_steps.handle(uow, SATPOLPP, row, handle, today)
        elif step == "serve":
            on = _after(on, 1, 14, today, rng)
            served = affected if rng.random() < 0.7 else rng.randint(0, affected)
            serve = ServeIn(citizens_served=served, served_on=on, note=None)
            await order_steps.serve(uow, SATPOLPP, row, serve, today)
        elif step == "close":
            on = _after(on, 1, 7, today, rng)
            await order_steps.close(uow, SATPOLPP, row, CloseIn(closed_on=on, note=None), today)
        else:
            on = _after(on, 0, 5, today, rng)
            reject = RejectIn(reason=rng.choice(REJECTS), rejected_on=on, note=None)
            await order_steps.reject(uow, SATPOLPP, row, reject, today)


def _after(day: date, low: int, high: int, today: date, rng: random.Random) -> date:
    """A few days after ``day``, never after today."""
    return min(today, day + timedelta(days=rng.randint(low, high)))


def _latest() -> datetime:
    """A minute before now (an occurrence drawn for today's evening has not happened yet)."""
    return now() - timedelta(minutes=1)


async def _notes(demo: Demo, rng: random.Random) -> None:
    """The notes; the first (high) escalated the day after and verified."""

    async def write(uow: UnitOfWork) -> None:
        for index in range(NOTES):
            category = rng.choice(list(WHAT))
            body = EarlyDetectionIn.model_validate(
                {
                    "posyandu_id": rng.choice(demo.posyandu).posyandu_id,
                    "observed_on": demo.today - timedelta(days=rng.randint(1, 90)),
                    "category": category,
                    "level": "tinggi" if index == 0 else rng.choice(["rendah", "sedang"]),
                    "summary": WHAT[category][1],
                }
            )
            note = await early_detection.record(uow, SATPOLPP, body, demo.today)
            if index == 0:
                await uow.session.flush()
                await _escalate(uow, demo, note.id, body.observed_on, WHAT[category][0])

    await demo.write(write)
    demo.counts.update({"early_detection_notes": NOTES, "notes_escalated": 1})


async def _escalate(uow: UnitOfWork, demo: Demo, note_id: str, observed: date, place: str) -> None:
    on = min(demo.today, observed + timedelta(days=1))
    body = EscalateIn(place=place, reported_on=on)
    report = await early_detection.escalate(uow, SATPOLPP, demo.settings, note_id, body, demo.today)
    await order_steps.verify(uow, SATPOLPP, report, VerifyIn(verified_on=on, note=None), demo.today)
