"""Immunisation, pregnancy/ANC and screening routes (one router)."""

from __future__ import annotations

from fastapi import APIRouter

from simpul_health.api import immunisation, pregnancy, screening

router = APIRouter()
router.include_router(immunisation.router)
router.include_router(pregnancy.router)
router.include_router(screening.router)
