"""Audit journal: who did what to which object, when (UTC) and from where."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Index, SQLModel

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


class LoginAttempt(SQLModel, table=True):
    """One password login attempt, kept for the throttling window (see services/login_throttle).

    The e-mail is stored as a keyed hash: what an attacker types is never kept in clear.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_account_at", "account_key", "attempted_at"),
        Index("ix_login_attempt_ip_at", "ip", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_key: str = Field(max_length=64)
    ip: str = Field(default="", max_length=45)
    attempted_at: datetime = Field(default_factory=utcnow)
    succeeded: bool = Field(default=False)
