"""Centre d'envoi: every outgoing e-mail is first a row here, sent or failed visibly."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, Index, SQLModel

from extranet_app.models.base import created_at_field, timestamp_field


class OutboxStatus(StrEnum):
    PENDING = "a_envoyer"
    SENDING = "en_cours"
    SENT = "envoye"
    FAILED = "echec"
    CANCELLED = "annule"


class OutboxEmail(SQLModel, table=True):
    """One e-mail, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
        # Whose access code e-mail is queued or sent (the statuses of Gestion des accès).
        Index("ix_outbox_kind_status_user", "kind", "status", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)  # "access_code", "document_notification", …
    to_address: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=200)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str = ""
    message_id: str = Field(max_length=200, unique=True)  # stable across retries
    status: str = Field(default=OutboxStatus.PENDING, max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = timestamp_field()
    last_error: str = Field(default="", max_length=2000)
    claimed_by: str = Field(default="", max_length=100)
    claimed_at: datetime | None = timestamp_field()
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    sent_at: datetime | None = timestamp_field()
