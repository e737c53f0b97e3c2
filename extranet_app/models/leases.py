"""Leases and their ledger: rent calls, payments and how payments settle rent calls."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from extranet_app.models.base import created_at_field


class LeaseKind(StrEnum):
    UNFURNISHED = "habitation_vide"
    FURNISHED = "habitation_meublee"
    COMMERCIAL = "commercial"
    PARKING = "parking"


class PaymentMethod(StrEnum):
    TRANSFER = "virement"
    DIRECT_DEBIT = "prelevement"
    CHEQUE = "cheque"
    CASH = "especes"
    CARD = "carte"


class RentCallKind(StrEnum):
    """What a call is for: a period's rent, or another invoice to the tenants of a lease."""

    RENT = "loyer"
    CHARGES_RECONCILIATION = "regularisation_charges"
    REPAIRS = "refacturation_travaux"
    OTHER = "autre"


class Lease(SQLModel, table=True):
    """A bail on one lot; amounts are the current monthly rent and charges provision."""

    __tablename__ = "lease"

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(foreign_key="lot.id", index=True)
    external_ref: str | None = Field(default=None, max_length=64, unique=True, index=True)
    kind: str = Field(default=LeaseKind.UNFURNISHED, max_length=30)
    start_date: date
    end_date: date | None = Field(default=None, index=True)
    rent_cents: int = Field(ge=0)
    charges_cents: int = Field(default=0, ge=0)
    deposit_cents: int = Field(default=0, ge=0)
    due_day: int = Field(default=1, ge=1, le=28)
    payment_reference: str = Field(default="", max_length=50)  # to quote on a transfer
    next_revision_date: date | None = None
    created_at: datetime = created_at_field()


class LeaseTenant(SQLModel, table=True):
    """A tenant (or co-tenant) named on a lease."""

    __tablename__ = "lease_tenant"

    lease_id: int = Field(foreign_key="lease.id", primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", primary_key=True, index=True)


class RentCall(SQLModel, table=True):
    """One period's rent and charges due on a lease (an échéance, sent as an avis d'échéance)."""

    __tablename__ = "rent_call"
    __table_args__ = (
        UniqueConstraint("lease_id", "kind", "period_start", name="uq_rent_call_lease_kind_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lease_id: int = Field(foreign_key="lease.id", index=True)
    external_ref: str | None = Field(default=None, max_length=64, unique=True, index=True)
    # A rent call proper (avis d'échéance, quittance once paid) or another invoice; invoices
    # are settled by payments like rent, oldest first, but never give a quittance.
    kind: str = Field(default=RentCallKind.RENT, max_length=30)
    label: str = Field(default="", max_length=200)  # an invoice's title ("Régularisation 2025")
    period_start: date
    period_end: date
    due_date: date = Field(index=True)
    rent_cents: int = Field(ge=0)
    charges_cents: int = Field(default=0, ge=0)
    # Rent + charges + other lines, fixed when the call is issued (a call never changes after).
    total_cents: int = Field(ge=0)
    created_at: datetime = created_at_field()


class RentCallLine(SQLModel, table=True):
    """Another sum called with a period's rent (e.g. a garbage tax, a repair charged back)."""

    __tablename__ = "rent_call_line"

    id: int | None = Field(default=None, primary_key=True)
    rent_call_id: int = Field(foreign_key="rent_call.id", index=True, ondelete="CASCADE")
    label: str = Field(max_length=200)
    amount_cents: int


class Payment(SQLModel, table=True):
    """Money received from the tenants of a lease."""

    __tablename__ = "payment"

    id: int | None = Field(default=None, primary_key=True)
    lease_id: int = Field(foreign_key="lease.id", index=True)
    external_ref: str | None = Field(default=None, max_length=64, unique=True, index=True)
    paid_on: date
    amount_cents: int = Field(gt=0)
    method: str = Field(default=PaymentMethod.TRANSFER, max_length=20)
    note: str = Field(default="", max_length=300)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class PaymentAllocation(SQLModel, table=True):
    """The part of a payment that settles a rent call (oldest calls are settled first)."""

    __tablename__ = "payment_allocation"
    __table_args__ = (
        Index("ix_payment_allocation_rent_call_payment", "rent_call_id", "payment_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True, ondelete="CASCADE")
    rent_call_id: int = Field(foreign_key="rent_call.id")
    amount_cents: int = Field(gt=0)
