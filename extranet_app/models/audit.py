"""Audit journal: who did what to which object, when (UTC) and from where."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from extranet_app.models.base import utcnow


class AuditEvent(SQLModel, table=True):
    """One audited action; `allowed` is False when it was refused."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=60, index=True)  # "login.success", "document.download", …
    target_type: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=40)
    allowed: bool = Field(default=True)
    detail: str = Field(default="", max_length=4000)  # JSON text
    ip: str = Field(default="", max_length=45)
    created_at: datetime = Field(default_factory=utcnow, index=True)  # journal date filters
