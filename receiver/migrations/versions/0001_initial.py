"""The first schema: acknowledgement records, staff accounts, the roster, the audit log.

Revision ID: 0001
Revises: 
Create Date: 2026-12-01 20:57:15.237486

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('edition', sa.Text(), nullable=False),
    sa.Column('handbook_title', sa.Text(), nullable=False),
    sa.Column('district', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=3), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('student_id', sa.String(length=40), nullable=True),
    sa.Column('student_key', sa.String(length=40), nullable=True),
    sa.Column('student_name', sa.String(length=100), nullable=False),
    sa.Column('school_id', sa.Text(), nullable=True),
    sa.Column('school_name', sa.String(length=150), nullable=False),
    sa.Column('grade', sa.String(length=2), nullable=False),
    sa.Column('parent_name', sa.String(length=100), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('signed_date', sa.String(length=10), nullable=False),
    sa.Column('signed_at', sa.String(length=25), nullable=False),
    sa.Column('record_json', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('receipt'),
    sa.UniqueConstraint('record_id')
    )
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acknowledgements_edition'), ['edition'], unique=False)
        batch_op.create_index(batch_op.f('ix_acknowledgements_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_acknowledgements_student_key'), ['student_key'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_name', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('roster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.String(length=40), nullable=False),
    sa.Column('student_key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('school', sa.String(length=150), nullable=False),
    sa.Column('grade', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('student_key')
    )
    with op.batch_alter_table('roster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_school'), ['school'], unique=False)

    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('staff')
    with op.batch_alter_table('roster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_school'))

    op.drop_table('roster')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acknowledgements_student_key'))
        batch_op.drop_index(batch_op.f('ix_acknowledgements_received_at'))
        batch_op.drop_index(batch_op.f('ix_acknowledgements_edition'))

    op.drop_table('acknowledgements')
