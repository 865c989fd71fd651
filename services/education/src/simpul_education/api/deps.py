"""Who may do what, and the values routes take from the running app.

Writes and child-level reads: ``opd:education`` (Dinas Pendidikan) and ``kader:education``
(the posyandu's education-field kader), both within their wilayah. Aggregates (indicators,
summary) also for ``dpmd`` and the gateway.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from simpul_education.settings import EducationSettings
from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today
from simpul_platform.settings import settings_dep

OPD = "opd:education"
KADER = "kader:education"

Writer = Annotated[Principal, Depends(require_roles(OPD, KADER))]
Reader = Annotated[Principal, Depends(require_roles(OPD, KADER))]
AggregateReader = Annotated[Principal, Depends(require_roles(OPD, KADER, *AGGREGATE_READER_ROLES))]
SettingsDep = Annotated[EducationSettings, settings_dep(EducationSettings)]


def _today(settings: SettingsDep) -> date:
    return local_today(settings)


# The deployment's date (its time zone, not the server's): what "in the future" is judged by.
Today = Annotated[date, Depends(_today)]
