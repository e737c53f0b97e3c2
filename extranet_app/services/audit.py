"""The audit journal: one function that writes an event inside the caller's transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from extranet_app.models import AuditEvent


def record_event(
    *,
    session: Session,
    action: str,
    actor_user_id: int | None = None,
    target_type: str = "",
    target_id: int | str | None = None,
    allowed: bool = True,
    ip: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit event; it is committed (or rolled back) with the use case that caused it."""
    session.add(
        AuditEvent(
            actor_user_id=actor_user_id,
            action=action,
            target_type=target_type,
            target_id="" if target_id is None else str(target_id),
            allowed=allowed,
            ip=ip[:45],
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else "",
        )
    )
