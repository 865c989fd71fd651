"""Kader participation: kader present ÷ kader expected, counted in SQL per posyandu, desa,
kecamatan and kabupaten.

A counted day is a posyandu day whose record says held. Its expected kader are the kader
appointed on that day (start on or before it, not ended before it): a kader flagged inactive
is still expected, or the figure would flatter itself. Present are those of them with a
``present`` attendance that day. For a serentak day, the days counted are the held records on
that date at posyandu under the serentak day's wilayah.

Both counts are kept on the day's row by every write that changes them
(``ops/day_counts.py``), so a kabupaten's year sums its days' rows instead of joining each
day to its kader and their attendance (1.4 s at Kukar's size; no index helped).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlmodel import col

from simpul_platform.indicators import percent
from simpul_platform.wilayah import under
from simpul_registry.models import Posyandu, PosyanduDay
from simpul_registry.schemas_days import ParticipationRow

LEVELS = ("posyandu", "desa", "kecamatan", "kabupaten")


def _counted(scopes: Sequence[str], start: date, end: date) -> list[Any]:
    return [
        col(PosyanduDay.held).is_(True),
        col(PosyanduDay.day) >= start,
        col(PosyanduDay.day) <= end,
        under(col(Posyandu.desa_code), scopes),
    ]


async def participation(
    session: Any, scopes: Sequence[str], start: date, end: date
) -> tuple[int, list[ParticipationRow]]:
    """How many posyandu had a held day, and a row per posyandu, desa, kecamatan, kabupaten."""
    per_posyandu = (
        select(
            col(Posyandu.id).label("posyandu"),
            col(Posyandu.desa_code).label("desa"),
            col(Posyandu.kecamatan_code).label("kecamatan"),
            col(Posyandu.kabupaten_code).label("kabupaten"),
            func.count().label("days"),
            func.sum(col(PosyanduDay.kader_expected)).label("expected"),
            func.sum(col(PosyanduDay.kader_present)).label("present"),
        )
        .select_from(PosyanduDay)
        .join(Posyandu, col(Posyandu.id) == col(PosyanduDay.posyandu_id))
        .where(*_counted(scopes, start, end))
        .group_by(
            col(Posyandu.id),
            col(Posyandu.desa_code),
            col(Posyandu.kecamatan_code),
            col(Posyandu.kabupaten_code),
        )
        .cte("per_posyandu")
    )
    # One statement: the posyandu's counts once, summed at each level above them.
    levels = union_all(
        *(
            select(
                literal(rank).label("rank"),
                per_posyandu.c[level].label("code"),
                func.sum(per_posyandu.c.days).label("days"),
                func.sum(per_posyandu.c.expected).label("expected"),
                func.sum(per_posyandu.c.present).label("present"),
            ).group_by(per_posyandu.c[level])
            for rank, level in enumerate(LEVELS)
        )
    )
    ordered = select(levels.subquery()).order_by("rank", "code")
    rows = [
        ParticipationRow(
            level=LEVELS[rank],
            code=code,
            days=int(days),
            expected=int(wanted),
            present=int(came),
            percent=percent(int(came), int(wanted)),
        )
        for rank, code, days, wanted, came in (await session.execute(ordered)).all()
    ]
    return sum(1 for r in rows if r.level == "posyandu"), rows
