"""agency settings: payment reference pattern, e-mail introductions, retry policy; sections
of the tenant and owner spaces turned on or off, globally or per building

Revision ID: c4e8a2f61d93
Revises: 9a4f6c2d8e15
Create Date: 2026-11-28 12:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c4e8a2f61d93"
# Written after the head of the working tree (9a4f6c2d8e15); 3b7c1d9e2f40 if committed alone.
down_revision: Union[str, Sequence[str], None] = "9a4f6c2d8e15"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TEXT_COLUMNS = (
    ("payment_reference_pattern", 60, "{bail}"),
    ("email_intro_invitation", 1000, ""),
    ("email_intro_notification", 1000, ""),
    ("email_intro_password_reset", 1000, ""),
)
_NUMBER_COLUMNS = (("outbox_max_attempts", "8"), ("outbox_retry_delay_minutes", "1"))


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("agency_settings", schema=None) as batch_op:
        for name, length, default in _TEXT_COLUMNS:
            batch_op.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    nullable=False,
                    server_default=default,
                )
            )
        for name, default in _NUMBER_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default=default)
            )
    op.create_table(
        "section_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("space", "section", "property_id"),
    )
    with op.batch_alter_table("section_setting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_section_setting_property_id"), ["property_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("section_setting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_setting_property_id"))
    op.drop_table("section_setting")
    with op.batch_alter_table("agency_settings", schema=None) as batch_op:
        for name, _ in reversed(_NUMBER_COLUMNS):
            batch_op.drop_column(name)
        for name, _, _ in reversed(_TEXT_COLUMNS):
            batch_op.drop_column(name)
