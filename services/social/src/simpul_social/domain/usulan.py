"""The usulan (proposal) workflow for putting a household forward as poor.

A kader proposes a household; the village verifies it in a musyawarah desa (or turns it down);
Dinas Sosial validates a verified proposal or rejects it with a reason. Validated and rejected
are final; a household may be proposed again after a rejection.
"""

from __future__ import annotations

from typing import Literal

from simpul_platform.domain import Step, Workflow

UsulanStatus = Literal["proposed", "verified", "validated", "rejected"]
UsulanAction = Literal["propose", "verify", "validate", "reject"]

USULAN: Workflow[UsulanStatus, UsulanAction] = Workflow(
    "usulan",
    [
        Step("propose", None, "proposed"),
        Step("verify", "proposed", "verified"),
        Step("reject", "proposed", "rejected"),  # turned down by the musyawarah desa
        Step("validate", "verified", "validated"),
        Step("reject", "verified", "rejected"),  # rejected by Dinas Sosial
    ],
)
OPEN_STATUSES: tuple[UsulanStatus, ...] = ("proposed", "verified")
