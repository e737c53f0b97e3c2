"""Tenant and owner profiles, as the agency's management software knows them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Index

from extranet_app.models.base import (
    PersonBase,
    created_at_field,
    sort_name_field,
    timestamp_field,
)


class Tenant(PersonBase, table=True):
    """A tenant (locataire); `user_id` is set once the agency enrols them."""

    __tablename__ = "tenant"
    # Sorted pages of the Gestion des accès list, overall and by login; the second index also
    # serves every lookup by user_id (a separate one would make the planner read the table).
    __table_args__ = (
        Index("ix_tenant_sort_name_id", "sort_name", "id"),
        Index("ix_tenant_user_id_sort_name", "user_id", "sort_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    sort_name: str | None = sort_name_field()
    # Art. 21 loi 89-462: sending quittances electronically needs the tenant's consent.
    receipts_by_email_consent_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class Owner(PersonBase, table=True):
    """An owner (propriétaire) whose lots the agency manages under mandate."""

    __tablename__ = "owner"
    __table_args__ = (
        Index("ix_owner_sort_name_id", "sort_name", "id"),
        Index("ix_owner_user_id_sort_name", "user_id", "sort_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    sort_name: str | None = sort_name_field()
    created_at: datetime = created_at_field()
