"""immunisations by target and dose

A child's doses with their dates from one index (``given_on`` included): immunisation
coverage probes it once per child reaching a birthday in the period, instead of hashing every
immunisation of the database. And a kabupaten's school-age children's birth months and years
from one index: the usia pendidikan dasar denominator, counted when read.

Revision ID: 18f1b2c3d4e5
Revises: 18c1b2c3d4e5
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "18f1b2c3d4e5"
down_revision: str | None = "18c1b2c3d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("immunisations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_immunisations_target_dose",
            ["target_id", "antigen", "dose"],
            unique=False,
            postgresql_include=["given_on"],
        )
    with op.batch_alter_table("school_age_children", schema=None) as batch_op:
        batch_op.create_index(
            "ix_school_age_kab_birth",
            ["kabupaten_code"],
            unique=False,
            postgresql_include=["birth_month", "birth_year"],
        )


def downgrade() -> None:
    with op.batch_alter_table("school_age_children", schema=None) as batch_op:
        batch_op.drop_index("ix_school_age_kab_birth")
    with op.batch_alter_table("immunisations", schema=None) as batch_op:
        batch_op.drop_index("ix_immunisations_target_dose")
