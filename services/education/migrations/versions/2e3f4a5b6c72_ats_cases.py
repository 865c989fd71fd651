"""ATS cases and their history

Revision ID: 2e3f4a5b6c72
Revises: 4a5b6c7d8e94
Create Date: 2026-12-07 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '2e3f4a5b6c72'
down_revision: str | None = '4a5b6c7d8e94'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('detected', 'classified', 'verified', 'referred')")


def upgrade() -> None:
    op.create_table('ats_case',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('child_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('posyandu_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('referral_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('detected_on', sa.Date(), nullable=False),
    sa.Column('verify_due_on', sa.Date(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('last_jenjang', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('last_kelas', sa.Integer(), nullable=True),
    sa.Column('classified_on', sa.Date(), nullable=True),
    sa.Column('reason_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('problem_domain', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('social_referral_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('re_entry_path', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('paket', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('referred_on', sa.Date(), nullable=True),
    sa.Column('enrolled_status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('unit_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('npsn', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('enrolled_on', sa.Date(), nullable=True),
    sa.Column('not_eligible_reason', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ats_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ats_case_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ats_case_posyandu_id'), ['posyandu_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ats_case_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ats_case_status'), ['status'], unique=False)
        batch_op.create_index('uq_ats_case_open_per_child', ['child_id'], unique=True, postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_ats_case_desa_detected', ['desa_code', 'detected_on'], unique=False, postgresql_ops={'desa_code': 'varchar_pattern_ops'}, postgresql_include=['status', 'posyandu_id', 'verify_due_on', 'verified_on', 'enrolled_on', 'closed_on'])

    op.create_table('ats_case_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('step_on', sa.Date(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['ats_case.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ats_case_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ats_case_history_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ats_case_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ats_case_history_case_id'))

    op.drop_table('ats_case_history')
    with op.batch_alter_table('ats_case', schema=None) as batch_op:
        batch_op.drop_index('ix_ats_case_desa_detected', postgresql_ops={'desa_code': 'varchar_pattern_ops'}, postgresql_include=['status', 'posyandu_id', 'verify_due_on', 'verified_on', 'enrolled_on', 'closed_on'])
        batch_op.drop_index('uq_ats_case_open_per_child', postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.drop_index(batch_op.f('ix_ats_case_status'))
        batch_op.drop_index(batch_op.f('ix_ats_case_referral_id'))
        batch_op.drop_index(batch_op.f('ix_ats_case_posyandu_id'))
        batch_op.drop_index(batch_op.f('ix_ats_case_child_id'))

    op.drop_table('ats_case')
