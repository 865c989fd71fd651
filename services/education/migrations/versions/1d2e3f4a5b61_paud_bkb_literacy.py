"""paud bkb literacy

PAUD enrolments with their monthly attendance, BKB memberships of families, and literacy
sessions at the posyandu.

Revision ID: 1d2e3f4a5b61
Revises: a0f1d70fd925
Create Date: 2026-12-06 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '1d2e3f4a5b61'
down_revision: str | None = 'a0f1d70fd925'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sqlmodel.sql.sqltypes.AutoString(length=36)
_DESA = sqlmodel.sql.sqltypes.AutoString(length=13)
_ACTOR = sqlmodel.sql.sqltypes.AutoString(length=200)
_AT = sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table('paud_enrolment',
    sa.Column('id', _ID, nullable=False),
    sa.Column('child_id', _ID, nullable=False),
    sa.Column('posyandu_id', _ID, nullable=False),
    sa.Column('desa_code', _DESA, nullable=False),
    sa.Column('unit_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('npsn', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('age_group', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_by', _ACTOR, nullable=False),
    sa.Column('created_at', _AT, nullable=False),
    sa.Column('updated_by', _ACTOR, nullable=False),
    sa.Column('updated_at', _AT, nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('child_id', 'year', name='uq_paud_enrolment_child_year')
    )
    with op.batch_alter_table('paud_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paud_enrolment_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paud_enrolment_posyandu_id'), ['posyandu_id'], unique=False)
        batch_op.create_index('ix_paud_enrolment_desa_year', ['desa_code', 'year'], unique=False, postgresql_ops={'desa_code': 'varchar_pattern_ops'})

    op.create_table('paud_attendance',
    sa.Column('enrolment_id', _ID, nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('mark', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('recorded_by', _ACTOR, nullable=False),
    sa.Column('recorded_at', _AT, nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['paud_enrolment.id'], ),
    sa.PrimaryKeyConstraint('enrolment_id', 'month')
    )

    op.create_table('bkb_membership',
    sa.Column('id', _ID, nullable=False),
    sa.Column('posyandu_id', _ID, nullable=False),
    sa.Column('desa_code', _DESA, nullable=False),
    sa.Column('kk', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('household_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('group_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('created_by', _ACTOR, nullable=False),
    sa.Column('created_at', _AT, nullable=False),
    sa.Column('updated_by', _ACTOR, nullable=False),
    sa.Column('updated_at', _AT, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bkb_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bkb_membership_household_ref'), ['household_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_bkb_membership_posyandu_id'), ['posyandu_id'], unique=False)
        batch_op.create_index('ix_bkb_membership_desa', ['desa_code'], unique=False, postgresql_ops={'desa_code': 'varchar_pattern_ops'})
        # A family is in one BKB class at a time: one membership without a leaving date.
        batch_op.create_index('ux_bkb_membership_active', ['household_ref'], unique=True, postgresql_where=sa.text('left_on IS NULL'), sqlite_where=sa.text('left_on IS NULL'))

    op.create_table('literacy_session',
    sa.Column('id', _ID, nullable=False),
    sa.Column('posyandu_id', _ID, nullable=False),
    sa.Column('desa_code', _DESA, nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('participants_0_6', sa.Integer(), nullable=False),
    sa.Column('participants_7_12', sa.Integer(), nullable=False),
    sa.Column('participants_13_18', sa.Integer(), nullable=False),
    sa.Column('participants_adults', sa.Integer(), nullable=False),
    sa.Column('facilitator', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('created_by', _ACTOR, nullable=False),
    sa.Column('created_at', _AT, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('posyandu_id', 'held_on', 'kind', name='uq_literacy_session_day_kind')
    )
    with op.batch_alter_table('literacy_session', schema=None) as batch_op:
        batch_op.create_index('ix_literacy_session_desa_held', ['desa_code', 'held_on'], unique=False, postgresql_ops={'desa_code': 'varchar_pattern_ops'})


def downgrade() -> None:
    with op.batch_alter_table('literacy_session', schema=None) as batch_op:
        batch_op.drop_index('ix_literacy_session_desa_held', postgresql_ops={'desa_code': 'varchar_pattern_ops'})
    op.drop_table('literacy_session')
    with op.batch_alter_table('bkb_membership', schema=None) as batch_op:
        batch_op.drop_index('ux_bkb_membership_active', postgresql_where=sa.text('left_on IS NULL'), sqlite_where=sa.text('left_on IS NULL'))
        batch_op.drop_index('ix_bkb_membership_desa', postgresql_ops={'desa_code': 'varchar_pattern_ops'})
        batch_op.drop_index(batch_op.f('ix_bkb_membership_posyandu_id'))
        batch_op.drop_index(batch_op.f('ix_bkb_membership_household_ref'))
    op.drop_table('bkb_membership')
    op.drop_table('paud_attendance')
    with op.batch_alter_table('paud_enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_paud_enrolment_desa_year', postgresql_ops={'desa_code': 'varchar_pattern_ops'})
        batch_op.drop_index(batch_op.f('ix_paud_enrolment_posyandu_id'))
        batch_op.drop_index(batch_op.f('ix_paud_enrolment_child_id'))
    op.drop_table('paud_enrolment')
