"""Login throttling: too many failed passwords for one account, or from one address, in a window.

After `login_max_failures_per_account` failures for an e-mail address within the window, every
further try for it is refused, even with the right password, until the failure that reached the
limit leaves the window (refused tries are not counted again); likewise for
`login_max_failures_per_ip` failures from one IP address. The window slides, so nobody can lock
an account for good: the lock ends at most one window after the last failure, and the
password-reset link keeps working meanwhile. Unknown addresses are counted and refused exactly
like real ones, so the answer reveals nothing about which accounts exist.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from extranet_app.models import LoginAttempt
from extranet_app.services.audit import record_event
from extranet_app.settings import get_settings

# Rows older than this many windows are useless; the purge runs with each recorded attempt.
_KEEP_WINDOWS = 4


@dataclass(frozen=True)
class Throttled:
    """Tries are refused until `until` (UTC)."""

    until: datetime

    def minutes_left(self, now: datetime) -> int:
        """Whole minutes to wait, at least 1 (what the login page tells the person)."""
        return max(1, -(-int((self.until - now).total_seconds()) // 60))


def account_key(email: str) -> str:
    """The keyed hash the attempts of one (normalised) e-mail address are counted under."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"login:{email}".encode(), hashlib.sha256).hexdigest()


def throttled(*, session: Session, email: str, ip: str, now: datetime) -> Throttled | None:
    """Whether tries for `email` or from `ip` are refused at `now`, and until when."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    locks = [
        _lock_end(
            session,
            col(LoginAttempt.account_key) == account_key(email),
            settings.login_max_failures_per_account,
            now - window,
        ),
        _lock_end(
            session, col(LoginAttempt.ip) == ip, settings.login_max_failures_per_ip, now - window
        )
        if ip
        else None,
    ]
    ends = [start + window for start in locks if start is not None]
    return Throttled(until=max(ends)) if ends else None


def _lock_end(session: Session, who, limit: int, since: datetime) -> datetime | None:
    """The time of the failure that started the lock (the limit-th newest), if locked."""
    failures = (
        select(LoginAttempt.attempted_at)
        .where(who, col(LoginAttempt.attempted_at) > since, col(LoginAttempt.succeeded).is_(False))
        .order_by(col(LoginAttempt.attempted_at).desc())
        .offset(limit - 1)
        .limit(1)
    )
    return session.exec(failures).first()


def record_attempt(
    *, session: Session, email: str, ip: str, now: datetime, succeeded: bool
) -> None:
    """Count one attempt (not committed) and forget those too old to matter."""
    session.add(
        LoginAttempt(account_key=account_key(email), ip=ip, attempted_at=now, succeeded=succeeded)
    )
    window = timedelta(minutes=get_settings().login_window_minutes)
    session.exec(
        delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < now - _KEEP_WINDOWS * window)
    )


def count_failure(
    *, session: Session, email: str, user_id: int, action: str, ip: str, now: datetime
) -> None:
    """A wrong secret from someone already past the first step (a code after the password, the
    current password on Mon compte): counted against the account like a failed login, journaled
    as refused, committed at once (the caller raises next)."""
    record_attempt(session=session, email=email, ip=ip, now=now, succeeded=False)
    record_event(session=session, action=action, actor_user_id=user_id, allowed=False, ip=ip)
    session.commit()


def failures_in_window(*, session: Session, email: str, now: datetime) -> int:
    """How many failures count against `email` right now (for the journal and the tests)."""
    since = now - timedelta(minutes=get_settings().login_window_minutes)
    return session.exec(
        select(func.count()).where(
            col(LoginAttempt.account_key) == account_key(email),
            col(LoginAttempt.attempted_at) > since,
            col(LoginAttempt.succeeded).is_(False),
        )
    ).one()
