"""import mappings: the columns the agency last matched to each kind of import

Revision ID: 9a4f6c2d8e15
Revises: 5d8e3f1a6b27
Create Date: 2026-11-28 10:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9a4f6c2d8e15"
# Written after the head of the working tree (5d8e3f1a6b27); 3b7c1d9e2f40 if committed alone.
down_revision: Union[str, Sequence[str], None] = "5d8e3f1a6b27"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("columns_json", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("import_mapping")
