"""Retention of access logs: who logged in, was refused or downloaded what, kept for a set time.

Access logs are personal data kept for security only; the CNIL recommends 6 months to 1 year
(ACCESS_LOG_RETENTION_DAYS, default 365). Past that they are deleted, together with the login
sessions that ended as long ago and the login attempts the throttling no longer needs. The
journal's business records (settings changed, consents, decisions on documents, exports,
anonymisations, the purges themselves) are not access logs: they stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_
from sqlmodel import Session, col, select

from extranet_app.models import AuditEvent, AuthSession, LoginAttempt
from extranet_app.models.base import utcnow
from extranet_app.services.audit import record_event
from extranet_app.settings import get_settings

# Journal actions that only say someone accessed (or tried to access) the extranet or a file.
# Listed one by one, not by prefix: "access.enrolled" or "document_request.refused" (an agency
# decision) look alike but are business records and must outlive this purge. Any *refused*
# event (allowed=False) is an access record too, whatever its action: a refusal changed nothing.
ACCESS_LOG_ACTIONS: tuple[str, ...] = (
    # Logging in and out.
    "login.success",
    "login.failure",
    "login.throttled",
    "logout",
    "session.ended",  # a person ending one of their sessions, or all the others
    "session.others_ended",
    "password_reset.requested",
    # Two-factor login steps (the password accepted, a wrong or a recovery code).
    "login.password_ok",
    "login.second_factor_failure",
    "two_factor.recovery_code_used",
    "two_factor.code_refused",
    # Refused access codes and reset links (CodePurpose values + ".refused").
    "activation.refused",
    "password_reset.refused",
    # Agency staff looking at a tenant's or owner's space.
    "preview.start",
    "preview.denied",
    "preview.change_refused",
    "preview.account_refused",
    # Spaces, sections and pages refused.
    "access.staff_only",
    "access.admin_only",
    "space.refused",
    "section.refused",
    # Reading a file or a page of someone's data.
    "document.download",
    "management_report.view",
    "news.open",
    "news.image",
    # Refused reads and sends (also covered by allowed=False; listed so the table is complete).
    "receipt.refused",
    "receipt.summary_refused",
    "invoice.refused",
    "owner_submission.refused",
    "message.thread_denied",
    "data.export_denied",
    "personal_data.export.denied",
    "personal_data.anonymise.denied",
    "two_factor.reset_denied",
    "password.check_refused",
)
# Login attempts only count within the throttling window: they go once past it, or past a day
# if the window is shorter (login_throttle also trims them, but only when someone logs in).
LOGIN_ATTEMPT_MIN_KEEP = timedelta(days=1)
# Rows deleted per statement (and transaction): on SQLite one DELETE of millions of rows would
# hold the write lock for long enough that logins waiting on it time out.
BATCH_SIZE = 5000


@dataclass(frozen=True)
class PurgeResult:
    """How many rows of each kind one purge deleted, and the retention it applied."""

    audit_events: int
    login_attempts: int
    auth_sessions: int
    retention_days: int

    @property
    def total(self) -> int:
        """Every row deleted."""
        return self.audit_events + self.login_attempts + self.auth_sessions


def purge_access_logs(
    *, session: Session, now: datetime | None = None, retention_days: int | None = None
) -> PurgeResult:
    """Delete the access logs, ended sessions and login attempts older than their retention."""
    settings = get_settings()
    days = retention_days or settings.access_log_retention_days
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    window = timedelta(minutes=settings.login_window_minutes)
    result = PurgeResult(
        audit_events=_delete_in_batches(session, AuditEvent, _old_access_events(cutoff)),
        login_attempts=_delete_in_batches(
            session,
            LoginAttempt,
            col(LoginAttempt.attempted_at) < now - max(window, LOGIN_ATTEMPT_MIN_KEEP),
        ),
        auth_sessions=_delete_in_batches(session, AuthSession, _sessions_ended_before(cutoff)),
        retention_days=days,
    )
    if result.total:
        record_event(
            session=session,
            action="access_log.retention_purge",
            target_type="access_log",
            detail={
                "audit_events": result.audit_events,
                "login_attempts": result.login_attempts,
                "auth_sessions": result.auth_sessions,
                "days": days,
            },
        )
    session.commit()
    return result


def _old_access_events(cutoff: datetime) -> ColumnElement[bool]:
    is_access = or_(
        col(AuditEvent.action).in_(ACCESS_LOG_ACTIONS), col(AuditEvent.allowed).is_(False)
    )
    return (col(AuditEvent.created_at) < cutoff) & is_access


def _sessions_ended_before(cutoff: datetime) -> ColumnElement[bool]:
    # A session ends at the first of: revoked, absolute expiry, idle expiry (an idle-expired
    # session is refused and never extended again, see services/auth).
    return or_(
        col(AuthSession.revoked_at) < cutoff,
        col(AuthSession.expires_at) < cutoff,
        col(AuthSession.idle_expires_at) < cutoff,
    )


def _delete_in_batches(session: Session, model: Any, condition: ColumnElement[bool]) -> int:
    """DELETE the matching rows, BATCH_SIZE per committed statement; no row is loaded."""
    deleted = 0
    while True:
        batch = select(model.id).where(condition).limit(BATCH_SIZE)
        statement = (
            delete(model)
            .where(col(model.id).in_(batch))
            .execution_options(synchronize_session=False)
        )
        count = session.exec(statement).rowcount  # type: ignore[call-overload]
        session.commit()
        deleted += count
        if count < BATCH_SIZE:
            return deleted
