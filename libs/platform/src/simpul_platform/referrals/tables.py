"""A field's referrals, in its own database: the ones it sent (``outgoing``, the source's copy,
kept up to date from the target's answers) and the ones it owns (``incoming``), with every step
in ``referral_history``. A service that mounts referrals passes ``referral_metadata`` to its
ServiceSpec and migrations; the platform migrates the tables (``revisions/referrals``).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)

from simpul_platform.pseudonym import PseudonymColumn, PseudonymDeclaration, RefsWithin

Direction = Literal["outgoing", "incoming"]
_OPEN = text("status IN ('requested', 'accepted')")

referral_metadata = MetaData()

referral = Table(
    "referral",
    referral_metadata,
    Column("id", String(36), primary_key=True),
    Column("direction", String(8), nullable=False),
    Column("source_field", String(16), nullable=False),
    Column("target_field", String(16), nullable=False),
    # Opened by the target's own rule on another field's event (no request was typed).
    Column("automatic", Boolean, nullable=False),
    Column("posyandu_id", String(36), nullable=False, index=True),
    Column("desa_code", String(13), nullable=False, index=True),
    Column("kecamatan_code", String(8), nullable=False),
    Column("reason_code", String(40), nullable=False),
    Column("details", JSON, nullable=False),
    Column("person_ref", String(64), nullable=True),
    Column("household_ref", String(64), nullable=True),
    # One open referral per need: source, target, reason and subject (see ``need_key``).
    Column("need_key", String(240), nullable=False),
    # The source's own: whom it is about and the kader's words; they never leave the source.
    Column("nik", String(16), nullable=True),
    Column("no_kk", String(16), nullable=True),
    Column("note", String(500), nullable=True),
    Column("status", String(12), nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("accepted_on", Date, nullable=True),
    Column("rejected_on", Date, nullable=True),
    Column("resolved_on", Date, nullable=True),
    # The target's own case opened for it (a PPKS case, a priority case, ...), when accepted.
    Column("case_ref", String(64), nullable=True),
    Column("rejection_code", String(40), nullable=True),
    Column("outcome_code", String(40), nullable=True),
    Column("requested_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_referral_direction_status_due_on", "direction", "status", "due_on"),
    Index(
        "uq_referral_open_need",
        "direction",
        "need_key",
        unique=True,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    ),
)

# The subject's references, from the NIK / No. KK where the source keeps them, and the open-need
# key that embeds them: what a pseudonym secret rotation re-keys (simpul_platform.rekey).
REFERRAL_PSEUDONYMS: tuple[PseudonymDeclaration, ...] = (
    PseudonymColumn("referral", "person_ref", "nik", identifier="nik"),
    PseudonymColumn("referral", "household_ref", "kk", identifier="no_kk"),
    RefsWithin("referral", "need_key"),
)

referral_history = Table(
    "referral_history",
    referral_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_id", String(36), ForeignKey("referral.id"), nullable=False, index=True),
    Column("action", String(24), nullable=False),
    Column("from_status", String(24), nullable=True),
    Column("to_status", String(24), nullable=False),
    # The reason, rejection or outcome code of the step.
    Column("code", String(40), nullable=True),
    Column("note", String(500), nullable=True),
    Column("actor", String(200), nullable=False),
    Column("step_on", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def need_key(
    source_field: str,
    target_field: str,
    reason_code: str,
    person_ref: str | None,
    household_ref: str | None,
) -> str:
    """What makes two referrals the same need: a second one is refused while the first is open."""
    return f"{source_field}>{target_field}:{reason_code}:{person_ref or '-'}:{household_ref or '-'}"
