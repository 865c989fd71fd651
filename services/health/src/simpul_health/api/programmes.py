"""The sensitive programmes' routes in one router: ODGJ berat, terduga TBC, risiko HIV."""

from __future__ import annotations

from fastapi import APIRouter

from simpul_health.api import hiv, mental_health, tb

router = APIRouter()
for part in (mental_health, tb, hiv):
    router.include_router(part.router)
