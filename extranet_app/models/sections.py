"""Which sections of the tenant and owner spaces are on, for everyone or for one building."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from extranet_app.models.base import created_at_field


class SectionSetting(SQLModel, table=True):
    """One section of one space turned on or off: for every building (`property_id` None) or,
    overriding that, for one building. A section without any row is on."""

    __tablename__ = "section_setting"
    __table_args__ = (UniqueConstraint("space", "section", "property_id"),)

    id: int | None = Field(default=None, primary_key=True)
    space: str = Field(max_length=20)  # "locataire" or "proprietaire" (services/auth.Space)
    section: str = Field(max_length=40)  # a key of services/sections
    property_id: int | None = Field(
        default=None, foreign_key="property.id", index=True, ondelete="CASCADE"
    )
    enabled: bool = Field(default=True)
    updated_at: datetime = created_at_field()
