"""management reports (versioned, with their lines) and expenses paid for owners

Revision ID: 7c5e2a91d4b3
Revises: 77bbab27e699
Create Date: 2026-11-27 21:00:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7c5e2a91d4b3"
down_revision: Union[str, Sequence[str], None] = "77bbab27e699"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_AMOUNTS = (
    "rents_called_cents",
    "charges_called_cents",
    "received_cents",
    "rents_received_cents",
    "arrears_cents",
    "expenses_cents",
    "fees_cents",
    "fees_vat_cents",
    "net_cents",
)


def _amount_columns() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in _AMOUNTS]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "owner_expense",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("supplier", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("invoice_document_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["invoice_document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_owner_expense_lot_spent_on", "owner_expense", ["lot_id", "spent_on"], unique=False
    )
    op.create_table(
        "management_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("fee_rate_bp", sa.Integer(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        *_amount_columns(),
        sa.Column("transfer_date", sa.Date(), nullable=True),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["mandate_id"], ["management_mandate.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["owner.id"]),
        sa.ForeignKeyConstraint(["published_by_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["replaces_id"], ["management_report.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("replaces_id"),
        sa.UniqueConstraint(
            "mandate_id",
            "kind",
            "period_start",
            "version",
            name="uq_management_report_mandate_kind_period_version",
        ),
    )
    op.create_index(
        "ix_management_report_owner_period",
        "management_report",
        ["owner_id", "period_start"],
        unique=False,
    )
    op.create_table(
        "management_report_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lot_label", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        *_amount_columns(),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["management_report.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_management_report_line_report_id"),
        "management_report_line",
        ["report_id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(
        op.f("ix_management_report_line_report_id"), table_name="management_report_line"
    )
    op.drop_table("management_report_line")
    op.drop_index("ix_management_report_owner_period", table_name="management_report")
    op.drop_table("management_report")
    op.drop_index("ix_owner_expense_lot_spent_on", table_name="owner_expense")
    op.drop_table("owner_expense")
