"""Who may do what, and the values routes take from the running app.

Writes and household-level reads (No. KK, surveys): ``opd:public_works`` (Dinas PU)
and ``kader:public_works`` (the posyandu's public-works kader), both within their wilayah.
Aggregates (indicators, summaries) also for ``dpmd``, the Tim Pembina and the gateway.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today
from simpul_platform.settings import settings_dep
from simpul_public_works.settings import PublicWorksSettings

OPD = "opd:public_works"
KADER = "kader:public_works"

Writer = Annotated[Principal, Depends(require_roles(OPD, KADER))]
Reader = Annotated[Principal, Depends(require_roles(OPD, KADER))]
AggregateReader = Annotated[Principal, Depends(require_roles(OPD, KADER, *AGGREGATE_READER_ROLES))]
SettingsDep = Annotated[PublicWorksSettings, settings_dep(PublicWorksSettings)]


def _today(settings: SettingsDep) -> date:
    return local_today(settings)


# The deployment's date (its time zone, not the server's): what "in the future" is judged by.
Today = Annotated[date, Depends(_today)]

# Infrastructure issues and facilities: the village government (``desa``) triages, forwards
# and schedules the issues of its desa, and reads them and the facilities; reporting, the
# end of an issue, facilities and photos stay with the public-works roles.
DESA = "desa"
Village = Annotated[Principal, Depends(require_roles(OPD, KADER, DESA))]
VillageReader = Annotated[Principal, Depends(require_roles(OPD, KADER, DESA))]
