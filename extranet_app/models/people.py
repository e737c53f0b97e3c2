"""Tenant and owner profiles, as the agency's management software knows them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from extranet_app.models.base import PersonBase, created_at_field, timestamp_field


class Tenant(PersonBase, table=True):
    """A tenant (locataire); `user_id` is set once the agency enrols them."""

    __tablename__ = "tenant"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    # Art. 21 loi 89-462: sending quittances electronically needs the tenant's consent.
    receipts_by_email_consent_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class Owner(PersonBase, table=True):
    """An owner (propriétaire) whose lots the agency manages under mandate."""

    __tablename__ = "owner"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    created_at: datetime = created_at_field()
