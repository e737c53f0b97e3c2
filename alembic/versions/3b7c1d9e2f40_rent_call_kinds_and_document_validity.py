"""rent call kinds (rent or other invoice) and the validity of accepted documents

Revision ID: 3b7c1d9e2f40
Revises: fdfc1f10f47e
Create Date: 2026-11-27 20:40:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3b7c1d9e2f40"
down_revision: Union[str, Sequence[str], None] = "fdfc1f10f47e"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The initial schema left the (lease_id, period_start) constraint unnamed: PostgreSQL names it
# itself, and SQLite's batch mode needs a naming convention to find it.
_SQLITE_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}
_OLD_UNIQUE = {"sqlite": "uq_rent_call_lease_id_period_start"}
_OLD_UNIQUE_DEFAULT = "rent_call_lease_id_period_start_key"


def upgrade() -> None:
    """Upgrade schema."""
    old_name = _OLD_UNIQUE.get(op.get_bind().dialect.name, _OLD_UNIQUE_DEFAULT)
    with op.batch_alter_table("rent_call", naming_convention=_SQLITE_NAMING) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=30),
                nullable=False,
                server_default="loyer",
            )
        )
        batch_op.add_column(
            sa.Column(
                "label",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.drop_constraint(old_name, type_="unique")
        batch_op.create_unique_constraint(
            "uq_rent_call_lease_kind_period", ["lease_id", "kind", "period_start"]
        )
    with op.batch_alter_table("document_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("document_request", schema=None) as batch_op:
        batch_op.drop_column("valid_until")
    with op.batch_alter_table("rent_call", naming_convention=_SQLITE_NAMING) as batch_op:
        batch_op.drop_constraint("uq_rent_call_lease_kind_period", type_="unique")
        batch_op.create_unique_constraint(None, ["lease_id", "period_start"])
        batch_op.drop_column("label")
        batch_op.drop_column("kind")
