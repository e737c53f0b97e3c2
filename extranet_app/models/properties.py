"""Buildings, lots, who owns them and the management mandates the agency holds."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from extranet_app.models.base import PostalAddress, created_at_field


class LotKind(StrEnum):
    APARTMENT = "appartement"
    HOUSE = "maison"
    PARKING = "parking"
    CELLAR = "cave"
    SHOP = "commerce"
    OFFICE = "bureau"


class ReportingPeriod(StrEnum):
    MONTHLY = "mensuel"
    QUARTERLY = "trimestriel"


class Property(PostalAddress, table=True):
    """A building (immeuble) or a single-lot property."""

    __tablename__ = "property"

    id: int | None = Field(default=None, primary_key=True)
    external_ref: str | None = Field(default=None, max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    created_at: datetime = created_at_field()


class Lot(SQLModel, table=True):
    """A rentable unit of a property: flat, house, parking space, shop…"""

    __tablename__ = "lot"

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    external_ref: str | None = Field(default=None, max_length=64, unique=True, index=True)
    reference: str = Field(max_length=50)  # the lot number as printed ("A12", "Parking 4")
    kind: str = Field(default=LotKind.APARTMENT, max_length=20)
    floor: str = Field(default="", max_length=20)
    surface_m2: float | None = Field(default=None)  # a measure, not money
    rooms: int | None = Field(default=None)
    description: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()


class Ownership(SQLModel, table=True):
    """An owner's share of a lot, in basis points (10 000 = 100 %)."""

    __tablename__ = "ownership"
    __table_args__ = (UniqueConstraint("owner_id", "lot_id"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    lot_id: int = Field(foreign_key="lot.id", index=True)
    share_bp: int = Field(default=10_000, ge=1, le=10_000)


class ManagementMandate(SQLModel, table=True):
    """The mandat de gestion: which lots the agency manages for an owner, and on what terms."""

    __tablename__ = "management_mandate"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    external_ref: str | None = Field(default=None, max_length=64, unique=True, index=True)
    number: str = Field(max_length=50)
    signed_on: date | None = None
    start_date: date
    end_date: date | None = None
    fee_rate_bp: int = Field(default=700, ge=0)  # management fees, basis points of rents received
    vat_rate_bp: int = Field(default=2000, ge=0)  # VAT on the fees, basis points
    reporting_period: str = Field(default=ReportingPeriod.MONTHLY, max_length=20)
    created_at: datetime = created_at_field()


class MandateLot(SQLModel, table=True):
    """A lot covered by a management mandate."""

    __tablename__ = "mandate_lot"

    mandate_id: int = Field(foreign_key="management_mandate.id", primary_key=True)
    lot_id: int = Field(foreign_key="lot.id", primary_key=True, index=True)
