"""Actualités: news the agency publishes to tenants, owners or the people of one building."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from extranet_app.models.base import created_at_field, timestamp_field


class NewsAudience(StrEnum):
    TENANTS = "locataires"
    OWNERS = "proprietaires"
    EVERYONE = "tous"
    PROPERTY = "immeuble"  # tenants and owners of `property_id`


class NewsItem(SQLModel, table=True):
    """A news item; `body` holds the agency's text in a small Markdown subset, rendered to
    sanitized HTML when shown (services/rich_text.py)."""

    __tablename__ = "news_item"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(max_length=50_000)
    image_key: str | None = Field(default=None, max_length=200)  # private storage
    audience: str = Field(default=NewsAudience.EVERYONE, max_length=20)
    property_id: int | None = Field(default=None, foreign_key="property.id", index=True)
    publish_at: datetime = Field(index=True)
    unpublished_at: datetime | None = timestamp_field()
    pinned: bool = Field(default=False)
    email_audience: bool = Field(default=False)
    # When the e-mails to the audience went into the outbox: they go once, when the item is
    # first visible (at publication, or later for a scheduled item).
    email_queued_at: datetime | None = timestamp_field()
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class NewsRead(SQLModel, table=True):
    """When a user read a news item (for the unread marker)."""

    __tablename__ = "news_read"

    news_id: int = Field(foreign_key="news_item.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True)
    read_at: datetime = created_at_field()
