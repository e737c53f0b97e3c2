"""news items remember when their e-mails to the audience were queued (sent once)

Revision ID: 5d8e3f1a6b27
Revises: 7c5e2a91d4b3
Create Date: 2026-11-27 21:30:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5d8e3f1a6b27"
down_revision: Union[str, Sequence[str], None] = "7c5e2a91d4b3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("news_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("news_item", schema=None) as batch_op:
        batch_op.drop_column("email_queued_at")
