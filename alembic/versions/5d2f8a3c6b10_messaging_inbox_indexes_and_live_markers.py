"""messagerie: inbox indexes, the agency's unread flag and the change marker that pages poll

Revision ID: 5d2f8a3c6b10
Revises: c4e8a2f61d93
Create Date: 2026-11-28 10:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5d2f8a3c6b10"
down_revision: Union[str, Sequence[str], None] = "c4e8a2f61d93"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# SQLite cannot add a NOT NULL column with a non-constant default: a constant first, then the
# real values, then no default at all (the application always sets it).
_EPOCH = sa.text("'1970-01-01 00:00:00'")
_INDEXES = {
    "ix_thread_last_message_at_id": ["last_message_at", "id"],
    "ix_thread_category_last_message": ["category", "last_message_at"],
    "ix_thread_property_last_message": ["property_id", "last_message_at"],
    "ix_thread_assigned_last_message": ["assigned_to_id", "last_message_at"],
    "ix_thread_agency_unread_last_message": ["agency_unread", "last_message_at"],
    "ix_thread_updated_at": ["updated_at"],
}


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "updated_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=False,
                server_default=_EPOCH,
            )
        )
        batch_op.add_column(
            sa.Column("agency_unread", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE thread SET updated_at = last_message_at, agency_unread = "
        "(agency_last_read_at IS NULL OR agency_last_read_at < last_message_at)"
    )
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.alter_column("updated_at", server_default=None)
        # The composite indexes start with these columns and serve their lookups too.
        batch_op.drop_index("ix_thread_assigned_to_id")
        batch_op.drop_index("ix_thread_property_id")
        for name, columns in _INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("thread", schema=None) as batch_op:
        for name in reversed(_INDEXES):
            batch_op.drop_index(name)
        batch_op.create_index("ix_thread_property_id", ["property_id"], unique=False)
        batch_op.create_index("ix_thread_assigned_to_id", ["assigned_to_id"], unique=False)
        batch_op.drop_column("agency_unread")
        batch_op.drop_column("updated_at")
