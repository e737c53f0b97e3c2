"""access management sort names and outbox index

Revision ID: 0e4d38c814d6
Revises: 2a5e5320c362
Create Date: 2026-11-27 19:00:52.441310

Gestion des accès sorts 50 000 people by name page by page: a computed `sort_name` column on
tenant and owner, indexed, and an index (user_id, sort_name) that replaces the one on user_id
alone. SQLite cannot add a stored generated column to an existing table, so there it is
virtual (its value lives in the index); PostgreSQL stores it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0e4d38c814d6'
down_revision: Union[str, Sequence[str], None] = '2a5e5320c362'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SORT_NAME_SQL = "lower(company_name || last_name || ' ' || first_name)"


def upgrade() -> None:
    """Upgrade schema."""
    persisted = op.get_bind().dialect.name != "sqlite"
    op.create_index(
        'ix_outbox_kind_status_user', 'outbox_email', ['kind', 'status', 'user_id'], unique=False
    )
    for table in ('owner', 'tenant'):
        op.add_column(
            table,
            sa.Column(
                'sort_name',
                sa.String(length=402),
                sa.Computed(SORT_NAME_SQL, persisted=persisted),
                nullable=True,
            ),
        )
        op.create_index(f'ix_{table}_sort_name_id', table, ['sort_name', 'id'], unique=False)
        op.create_index(
            f'ix_{table}_user_id_sort_name', table, ['user_id', 'sort_name'], unique=False
        )
        op.drop_index(f'ix_{table}_user_id', table_name=table)


def downgrade() -> None:
    """Downgrade schema."""
    for table in ('tenant', 'owner'):
        op.create_index(f'ix_{table}_user_id', table, ['user_id'], unique=False)
        op.drop_index(f'ix_{table}_user_id_sort_name', table_name=table)
        op.drop_index(f'ix_{table}_sort_name_id', table_name=table)
        op.drop_column(table, 'sort_name')
    op.drop_index('ix_outbox_kind_status_user', table_name='outbox_email')
