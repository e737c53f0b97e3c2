"""Helpers shared by the tables: UTC timestamps and the fields every person has."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Computed, String
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (what every timestamp column stores)."""
    return datetime.now(UTC)


# sqlmodel maps `datetime` fields to its UTCDateTime type: aware values in, aware UTC values out,
# also on SQLite which stores no offset.
def created_at_field() -> datetime:
    return Field(default_factory=utcnow)


def timestamp_field(*, index: bool = False) -> datetime | None:
    return Field(default=None, index=index)


# How a person's name sorts: a company has no last name and a person no company name, so one of
# the two is empty. Computed by the database, so that an index serves sorted pages of 50 000
# people. The migration makes it virtual on SQLite (ALTER TABLE cannot add a stored one there;
# the index holds the values) and stored on PostgreSQL.
SORT_NAME_SQL = "lower(company_name || last_name || ' ' || first_name)"


def sort_name_field() -> Any:
    """The `sort_name` column of a person table (each table needs its own Column object)."""
    return Field(
        default=None, sa_column=Column(String(402), Computed(SORT_NAME_SQL, persisted=True))
    )


class PostalAddress(SQLModel):
    """A French postal address, as printed on letters and documents."""

    address_line1: str = Field(default="", max_length=200)
    address_line2: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=10)
    city: str = Field(default="", max_length=100)


class PersonBase(PostalAddress):
    """Identity and contact fields shared by tenants and owners."""

    external_ref: str | None = Field(default=None, max_length=64, unique=True, index=True)
    civility: str = Field(default="", max_length=10)  # "M.", "Mme", "" for a company
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100, index=True)
    company_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254, index=True)
    phone: str = Field(default="", max_length=30)

    @property
    def full_name(self) -> str:
        if self.company_name:
            return self.company_name
        return " ".join(part for part in (self.civility, self.first_name, self.last_name) if part)
