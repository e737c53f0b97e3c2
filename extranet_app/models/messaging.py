"""Messagerie: conversations between one person (tenant or owner) and the agency."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, Index, SQLModel

from extranet_app.models.base import created_at_field, timestamp_field, utcnow


class ThreadCategory(StrEnum):
    INTERVENTION = "intervention"
    PAYMENT = "paiement"
    DOCUMENTS = "documents"
    OTHER = "autre"


class ThreadStatus(StrEnum):
    NEW = "nouvelle"
    IN_PROGRESS = "en_cours"
    RESOLVED = "resolue"
    CLOSED = "fermee"


class Thread(SQLModel, table=True):
    """A conversation; `person_user_id` is the only non-staff participant."""

    __tablename__ = "thread"
    # The shared inbox shows 50 threads at a time, newest activity first, filtered by status,
    # category, building, assignee or unread: each filter has an index in that order.
    __table_args__ = (
        Index("ix_thread_status_last_message", "status", "last_message_at"),
        Index("ix_thread_last_message_at_id", "last_message_at", "id"),
        Index("ix_thread_category_last_message", "category", "last_message_at"),
        Index("ix_thread_property_last_message", "property_id", "last_message_at"),
        Index("ix_thread_assigned_last_message", "assigned_to_id", "last_message_at"),
        Index("ix_thread_agency_unread_last_message", "agency_unread", "last_message_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_user_id: int = Field(foreign_key="app_user.id", index=True)
    person_role: str = Field(max_length=20)  # "tenant" or "owner": the space it belongs to
    subject: str = Field(max_length=200)
    category: str = Field(default=ThreadCategory.OTHER, max_length=20)
    status: str = Field(default=ThreadStatus.NEW, max_length=20)
    lease_id: int | None = Field(default=None, foreign_key="lease.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    property_id: int | None = Field(default=None, foreign_key="property.id")
    assigned_to_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    # The last message the person can see: internal notes leave it (and the person's unread
    # count) alone.
    last_message_at: datetime = created_at_field()
    # Any change (message, note, status, assignment, read marker): open pages poll its maximum.
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    # The person wrote since agency staff last opened the thread (the shared inbox's "non lus").
    agency_unread: bool = Field(default=False)
    person_last_read_at: datetime | None = timestamp_field()
    agency_last_read_at: datetime | None = timestamp_field()
    person_last_notified_at: datetime | None = timestamp_field()  # e-mail throttle
    closed_at: datetime | None = timestamp_field()


class Message(SQLModel, table=True):
    """One message of a thread; internal notes are for agency staff only."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_thread_id_id", "thread_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", ondelete="CASCADE")
    author_id: int = Field(foreign_key="app_user.id")
    body: str = Field(max_length=20_000)  # plain text, never rendered as HTML
    is_internal_note: bool = Field(default=False)
    created_at: datetime = created_at_field()
