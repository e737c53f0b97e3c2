"""Rapport de gestion: expenses the agency pays for owners, and the published management reports."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import event
from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from extranet_app.models.base import created_at_field


class ReportKind(StrEnum):
    """A report of one reporting period of the mandate, or the yearly summary for taxes."""

    PERIOD = "periode"
    YEARLY = "annuel"


class OwnerExpense(SQLModel, table=True):
    """An invoice the agency paid on the owners' behalf for a lot (repairs, insurance, taxes).

    It belongs to the lot: co-owners each bear their share, like the rents.
    """

    __tablename__ = "owner_expense"
    __table_args__ = (Index("ix_owner_expense_lot_spent_on", "lot_id", "spent_on"),)

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(foreign_key="lot.id")
    spent_on: date
    label: str = Field(max_length=200)
    supplier: str = Field(default="", max_length=200)
    amount_cents: int = Field(gt=0)
    # The supplier's invoice, kept in the Porte-documents (optional).
    invoice_document_id: int | None = Field(default=None, foreign_key="document.id")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class ManagementReport(SQLModel, table=True):
    """A published compte rendu de gestion: one owner, one mandate, one period, one version.

    Published reports never change: a correction is a new version that names the one it
    replaces. Amounts are the owner's part (co-owners' shares applied), in cents.
    """

    __tablename__ = "management_report"
    __table_args__ = (
        UniqueConstraint(
            "mandate_id",
            "kind",
            "period_start",
            "version",
            name="uq_management_report_mandate_kind_period_version",
        ),
        Index("ix_management_report_owner_period", "owner_id", "period_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id")
    mandate_id: int = Field(foreign_key="management_mandate.id")
    kind: str = Field(default=ReportKind.PERIOD, max_length=20)
    period_start: date
    period_end: date
    version: int = Field(default=1, ge=1)
    # A version is replaced at most once, so the versions of a period form a chain.
    replaces_id: int | None = Field(default=None, foreign_key="management_report.id", unique=True)
    document_id: int = Field(foreign_key="document.id")
    published_at: datetime = created_at_field()
    published_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # The mandate's terms when the report was made (the mandate may change later).
    fee_rate_bp: int = Field(ge=0)
    vat_rate_bp: int = Field(ge=0)
    rents_called_cents: int = 0
    charges_called_cents: int = 0
    received_cents: int = 0
    rents_received_cents: int = 0  # the part of `received` that is rent: the fees' base
    arrears_cents: int = 0
    expenses_cents: int = 0
    fees_cents: int = 0  # excluding VAT
    fees_vat_cents: int = 0
    net_cents: int = 0  # transferred to the owner (negative: owed by the owner)
    transfer_date: date | None = None
    # SHA-256 of the figures: publishing the period again makes a new version only if it differs.
    fingerprint: str = Field(max_length=64)


class ManagementReportLine(SQLModel, table=True):
    """One lot of a published report, as it was published (labels included)."""

    __tablename__ = "management_report_line"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="management_report.id", index=True)
    lot_id: int = Field(foreign_key="lot.id")
    position: int = 0
    lot_label: str = Field(max_length=300)
    share_bp: int = Field(ge=0)
    rents_called_cents: int = 0
    charges_called_cents: int = 0
    received_cents: int = 0
    rents_received_cents: int = 0
    arrears_cents: int = 0
    expenses_cents: int = 0
    fees_cents: int = 0
    fees_vat_cents: int = 0
    net_cents: int = 0


def _refuse_change(_mapper, _connection, target) -> None:
    raise ValueError(f"Un rapport de gestion publié ne change jamais ({type(target).__name__}).")


# A published report is final: the ORM refuses any UPDATE or DELETE of one (or of its lines).
for _model in (ManagementReport, ManagementReportLine):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
