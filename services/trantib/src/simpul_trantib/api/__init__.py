"""Thin routes: authorise → ops → commit → shape. ``ROUTES`` are the modules ``app.py`` mounts
(besides the platform's referral routes), in the order the OpenAPI document lists them."""

from __future__ import annotations

from types import ModuleType

from simpul_trantib.api import (
    apar,
    disasters,
    early_detection,
    emergencies,
    fire_posts,
    fires,
    hazard,
    indicators,
    linmas,
    order_reports,
    siskamling,
)

DESCRIPTION = (
    "Trantibumlinmas at the posyandu: public-order reports with confidential reporters "
    "(Satpol PP), Satlinmas, siskamling and APAR, fire incidents against the 15-minute response "
    "and the WMK (Damkar), disasters and their victims (BPBD), with SPM trantibumlinmas."
)
ROUTES: tuple[ModuleType, ...] = (
    order_reports,
    early_detection,
    linmas,
    siskamling,
    apar,
    fire_posts,
    fires,
    disasters,
    hazard,
    indicators,
    emergencies,
)
