"""Who may read DPMD's cross-field views, and over which wilayah.

DPMD and the Tim Pembina (TP) at each level read across fields within their wilayah; an OPD
or a kader reads its own field in its own service, never another field through here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from simpul_platform.auth import CurrentPrincipal, Principal
from simpul_platform.errors import Forbidden

CROSS_FIELD_ROLES = ("dpmd", "tp:kabupaten", "tp:kecamatan", "tp:desa")


def cross_field_reader(principal: CurrentPrincipal) -> Principal:
    if not principal.has_any_role(*CROSS_FIELD_ROLES):
        raise Forbidden(
            "Cross-field views are for DPMD and TP Posyandu "
            f"({', '.join(CROSS_FIELD_ROLES)}); read your own field from its service."
        )
    return principal


CrossFieldReader = Annotated[Principal, Depends(cross_field_reader)]
