"""Who may do what, and shared dependencies.

Writes: ``opd:social`` (Dinas Sosial) and ``kader:social`` (the posyandu's social-field kader),
both within their wilayah. The musyawarah desa's verdict on an usulan may also be entered by
the village government (``desa``). Validation and Dinas Sosial's rejection, programs, and the
resolution of priority cases are ``opd:social`` only. Person- and household-level reads are for
the two social roles; ``dpmd`` reads aggregates (indicators, summary) and programs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.settings import settings_dep
from simpul_social.settings import SocialSettings

OPD = "opd:social"
KADER = "kader:social"
DESA = "desa"
DPMD = "dpmd"

Writer = Annotated[Principal, Depends(require_roles(OPD, KADER))]
Village = Annotated[Principal, Depends(require_roles(OPD, KADER, DESA))]
Opd = Annotated[Principal, Depends(require_roles(OPD))]
Reader = Annotated[Principal, Depends(require_roles(OPD, KADER))]
AggregateReader = Annotated[Principal, Depends(require_roles(OPD, KADER, *AGGREGATE_READER_ROLES))]
SettingsDep = Annotated[SocialSettings, settings_dep(SocialSettings)]
