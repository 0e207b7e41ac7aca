"""time_entries.created_by_id: who created the entry, recorded on the entry itself instead of an
audit row per create (ADR 0519). Rows written before it read None; their creation stays in the
audit_events rows written then.

The first schema change made as a revision of its own rather than by regenerating 0001: demo
and development databases at 0002 exist, and a regenerated 0001 would leave them without the
column (ADR 0005, amended with ADR 0519).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.drop_column('created_by_id')
