"""Disaster social protection (SPM sosial, Permensos 9/2018): perlindungan dan jaminan sosial
bagi korban bencana, for each household a disaster or a fire struck, during and after the
emergency.

A case opens for a household trantib names as a disaster's or a fire's victim. During the
emergency (tanggap darurat) the household is given permakanan, sandang, a place in a shelter,
health referral, psychosocial support; after it, jaminan hidup, economic help, psychosocial
support, family reunification, referral to programmes. A case is then closed; a household
that refused, could not be found or moved away is declined. Services may be given over
several days, so a step that gives services may be taken again in its own stage.

A household is *protected* (the SPM numerator) once it received emergency services. Pure: no
FastAPI, SQL or Kafka.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from simpul_platform.domain import RuleViolation, Step, Workflow

# Where a case came from: a disaster's rapid assessment or a fire's record (trantib's events).
CaseSource = Literal["trantib_disaster", "trantib_fire"]
FIRE_KIND = "kebakaran"

EmergencyService = Literal[
    "permakanan",
    "sandang",
    "penampungan",
    "layanan_kesehatan_rujukan",
    "dukungan_psikososial",
]
RecoveryService = Literal[
    "jaminan_hidup",
    "bantuan_usaha_ekonomi",
    "dukungan_psikososial",
    "reunifikasi_keluarga",
    "rujukan_program",
]
DeclineReason = Literal["refused", "not_found", "moved"]

ProtectionStatus = Literal["opened", "emergency_served", "recovery_served", "closed"]
ProtectionAction = Literal["open", "serve_emergency", "serve_recovery", "close", "decline"]

DISASTER_PROTECTION: Workflow[ProtectionStatus, ProtectionAction] = Workflow(
    "disaster protection case",
    [
        Step("open", None, "opened"),
        Step("serve_emergency", "opened", "emergency_served"),
        Step("serve_emergency", "emergency_served", "emergency_served"),  # another day's help
        Step("serve_recovery", "emergency_served", "recovery_served"),
        Step("serve_recovery", "recovery_served", "recovery_served"),
        Step("close", "emergency_served", "closed"),  # needs met without recovery help
        Step("close", "recovery_served", "closed"),
        Step("decline", "opened", "closed"),
        Step("decline", "emergency_served", "closed"),  # moved away before recovery
    ],
)
# Each step's date column on the case (the first time the step was taken for serve steps).
STEP_DATES: dict[str, str] = {
    "serve_emergency": "emergency_served_on",
    "serve_recovery": "recovery_served_on",
    "close": "closed_on",
    "decline": "closed_on",
}


def protected(emergency_served_on: date | None) -> bool:
    """Protected once emergency services reached the household (a later close keeps it so)."""
    return emergency_served_on is not None


def check_services(services: Sequence[str], field: str = "body.services") -> None:
    """At least one service, each named once."""
    if not services:
        raise RuleViolation(field, "no_services", "Name at least one service given.")
    repeated = sorted({s for s in services if services.count(s) > 1})
    if repeated:
        raise RuleViolation(
            field, "service_repeated", f"Each service once per step: {', '.join(repeated)}."
        )


def given(services: Sequence[str], stage: str, on: date) -> list[dict[str, str]]:
    """The entries a step adds to the case's list of services given."""
    return [{"service": s, "stage": stage, "on": on.isoformat()} for s in services]
