"""Who may do what, and the values routes take from the running app.

Writes and house-level reads (addresses, households, photos): ``opd:housing`` (Dinas Perkim)
and ``kader:housing`` (the posyandu's housing-field kader), both within their wilayah.
Aggregates (indicators, summaries) also for ``dpmd``, the Tim Pembina and the gateway.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from simpul_housing.settings import HousingSettings
from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today
from simpul_platform.settings import settings_dep

OPD = "opd:housing"
KADER = "kader:housing"

Writer = Annotated[Principal, Depends(require_roles(OPD, KADER))]
Reader = Annotated[Principal, Depends(require_roles(OPD, KADER))]
AggregateReader = Annotated[Principal, Depends(require_roles(OPD, KADER, *AGGREGATE_READER_ROLES))]
SettingsDep = Annotated[HousingSettings, settings_dep(HousingSettings)]


def _today(settings: SettingsDep) -> date:
    return local_today(settings)


# The deployment's date (its time zone, not the server's): what "in the future" is judged by.
Today = Annotated[date, Depends(_today)]
