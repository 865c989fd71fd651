"""Calls the Satlinmas, siskamling and APAR tests share: a member appointed with a NIK that
encodes the birth date, a person of a given age today, the rules a problem names."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import httpx
from trantib_testkit import Trantib

from simpul_platform.clock import local_today
from simpul_trantib.domain.linmas import born_by

_serials = itertools.count(1)


def today(tr: Trantib) -> date:
    return local_today(tr.settings)


def nik_for(birth: date) -> str:
    """A NIK of Tenggarong encoding ``birth``, with a serial no other test member has."""
    return f"640206{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}{next(_serials):04d}"


def aged(tr: Trantib, years: int, days_past: int = 30) -> date:
    """The birth date of someone who turned ``years`` ``days_past`` days ago (today's date)."""
    return born_by(today(tr), years) - timedelta(days=days_past)


def member_body(posyandu: str, birth: date, on: date, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nik": nik_for(birth),
        "name": "Anggota Linmas",
        "birth_date": birth.isoformat(),
        "married": False,
        "education": "smp",
        "posyandu_id": posyandu,
        "squad": "keamanan",
        "sk_number": "300/045/SATPOLPP/2026",
        "sk_date": on.isoformat(),
        "appointed_on": on.isoformat(),
    }
    return body | overrides


async def appoint(
    tr: Trantib,
    posyandu: str,
    birth: date,
    headers: dict[str, str] | None = None,
    **overrides: Any,
) -> httpx.Response:
    body = member_body(posyandu, birth, today(tr), **overrides)
    return await tr.client.post("/v1/linmas-members", json=body, headers=headers or tr.satpolpp)


async def appointed(tr: Trantib, posyandu: str, birth: date, **overrides: Any) -> dict[str, Any]:
    got = await appoint(tr, posyandu, birth, **overrides)
    assert got.status_code == 201, got.text
    body: dict[str, Any] = got.json()
    return body


def broken(response: httpx.Response) -> list[tuple[str, str]]:
    """The (field, rule) pairs a 422 problem names."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


async def strength_of(
    tr: Trantib, headers: dict[str, str] | None = None, **query: Any
) -> dict[str, dict[str, Any]]:
    got = await tr.client.get("/v1/linmas/strength", params=query, headers=headers or tr.dpmd)
    assert got.status_code == 200, got.text
    return {row["desa_code"]: row for row in got.json()}
