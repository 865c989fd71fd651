"""Who may do what, and the values routes take from the running app.

``opd:trantib`` is the field's agencies as one role; its sub-roles narrow it to one of them:
``opd:trantib:satpolpp`` (public order), ``opd:trantib:damkar`` (fire, APAR),
``opd:trantib:bpbd`` (disasters, risk information). Satlinmas and siskamling are Satpol PP's
(it appoints the Linmas). ``kader:trantib`` (the posyandu's trantib kader) and ``linmas``
(a Satlinmas member) record within their wilayah: reports, early-detection notes, patrols,
APAR checks, damaged households. Aggregates (indicators, summaries, the emergencies view)
also for ``dpmd``, the Tim Pembina and the gateway. A reporter's identity is for the report's
Satpol PP handler alone (``ops.reporters``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends

from simpul_platform.auth import AGGREGATE_READER_ROLES, Principal, require_roles
from simpul_platform.clock import local_today, now
from simpul_platform.settings import settings_dep
from simpul_trantib.settings import TrantibSettings

OPD = "opd:trantib"
SATPOL_PP = "opd:trantib:satpolpp"
DAMKAR = "opd:trantib:damkar"
BPBD = "opd:trantib:bpbd"
KADER = "kader:trantib"
LINMAS = "linmas"

# Records a kader or a Linmas member may make at their posyandu's desa, as the OPD may.
Recorder = Annotated[Principal, Depends(require_roles(OPD, SATPOL_PP, DAMKAR, BPBD, KADER, LINMAS))]
# Who sends and answers trantib's referrals.
REFERRAL_ROLES = (OPD, SATPOL_PP, DAMKAR, BPBD, KADER)
Reader = Annotated[Principal, Depends(require_roles(OPD, SATPOL_PP, DAMKAR, BPBD, KADER, LINMAS))]
# Each agency's own work.
PublicOrder = Annotated[Principal, Depends(require_roles(OPD, SATPOL_PP))]
Fire = Annotated[Principal, Depends(require_roles(OPD, DAMKAR))]
Disaster = Annotated[Principal, Depends(require_roles(OPD, BPBD))]
AggregateReader = Annotated[
    Principal,
    Depends(require_roles(OPD, SATPOL_PP, DAMKAR, BPBD, KADER, *AGGREGATE_READER_ROLES)),
]
SettingsDep = Annotated[TrantibSettings, settings_dep(TrantibSettings)]


def _today(settings: SettingsDep) -> date:
    return local_today(settings)


# The deployment's date (its time zone, not the server's): what "in the future" is judged by.
Today = Annotated[date, Depends(_today)]


def _moment() -> datetime:
    return now()


# The present instant (an incident's times may not be after it).
Now = Annotated[datetime, Depends(_moment)]
