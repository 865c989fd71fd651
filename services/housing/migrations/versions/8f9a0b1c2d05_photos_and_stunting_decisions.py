"""house photos and stunting decisions

Revision ID: 8f9a0b1c2d05
Revises: c79820cce627
Create Date: 2026-12-07 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8f9a0b1c2d05"
down_revision: str | None = "c79820cce627"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sqlmodel.sql.sqltypes.AutoString(length=36)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "house_photo",
        sa.Column("id", _ID, nullable=False),
        sa.Column("house_id", _ID, nullable=False),
        sa.Column("assessment_id", _ID, nullable=True),
        sa.Column("storage_key", _text(200), nullable=False),
        sa.Column("content_type", _text(20), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", _text(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", _text(200), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["house_assessment.id"]),
        sa.ForeignKeyConstraint(["house_id"], ["house.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("house_id", "sha256", name="uq_house_photo_sha256"),
    )
    with op.batch_alter_table("house_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_house_photo_house_id"), ["house_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_house_photo_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "stunting_rtlh_decision",
        sa.Column("id", _ID, nullable=False),
        sa.Column("event_id", _text(64), nullable=False),
        sa.Column("episode_id", _text(64), nullable=False),
        sa.Column("person_ref", _text(64), nullable=False),
        sa.Column("household_ref", _text(64), nullable=True),
        sa.Column("posyandu_id", _ID, nullable=False),
        sa.Column("desa_code", _text(13), nullable=False),
        sa.Column("house_id", _ID, nullable=True),
        sa.Column("assessment_id", _ID, nullable=True),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("decision", _text(24), nullable=False),
        sa.Column("referral_id", _ID, nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("stunting_rtlh_decision", schema=None) as batch_op:
        for column in ("decision", "episode_id", "household_ref", "posyandu_id"):
            batch_op.create_index(
                batch_op.f(f"ix_stunting_rtlh_decision_{column}"), [column], unique=False
            )


def downgrade() -> None:
    with op.batch_alter_table("stunting_rtlh_decision", schema=None) as batch_op:
        for column in ("posyandu_id", "household_ref", "episode_id", "decision"):
            batch_op.drop_index(batch_op.f(f"ix_stunting_rtlh_decision_{column}"))
    op.drop_table("stunting_rtlh_decision")

    with op.batch_alter_table("house_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_house_photo_assessment_id"))
        batch_op.drop_index(batch_op.f("ix_house_photo_house_id"))
    op.drop_table("house_photo")
