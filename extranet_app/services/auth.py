"""Login: checking passwords, and the server-side login sessions behind the cookie."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from sqlalchemy import func
from sqlmodel import Session, select, update

from extranet_app.models import AuthSession, Owner, Tenant, User
from extranet_app.models.base import utcnow
from extranet_app.services import login_throttle, two_factor
from extranet_app.services.audit import record_event
from extranet_app.services.errors import AccessDenied
from extranet_app.services.security import hash_password, hash_token, new_token, verify_password
from extranet_app.settings import get_settings

# Writing last_seen on every event would turn each click into a write; a minute is precise enough.
_TOUCH_INTERVAL = timedelta(minutes=1)
# Between the password and the second factor: time to open the phone app, not to go for lunch.
_SECOND_FACTOR_WINDOW = timedelta(minutes=10)
# Wrong codes tolerated on one pending login before the password must be typed again (each one
# also counts as a failure for the account's login throttling).
_MAX_CODE_FAILURES = 5
# The page of one's account (password, two-factor, sessions), open to every logged-in person.
ACCOUNT_PATH = "/compte"


class Space(StrEnum):
    """The three spaces of the extranet; the value is the URL prefix."""

    AGENCY = "agence"
    TENANT = "locataire"
    OWNER = "proprietaire"

    @property
    def path(self) -> str:
        return f"/{self.value}"


@dataclass(frozen=True)
class SessionUser:
    """Who is behind a valid login session, with what their roles give access to."""

    user_id: int
    session_id: int
    email: str
    display_name: str
    is_agency: bool
    is_admin: bool
    tenant_ids: tuple[int, ...]
    owner_ids: tuple[int, ...]
    # Set when agency staff look at this person's space (Aperçu): nothing may be changed or sent.
    previewed_by_user_id: int | None = None
    # Staff whose agency requires two-factor authentication they have not set up: their staff
    # roles are withheld (is_agency False) until they do it on their account page.
    second_factor_due: bool = False

    @property
    def read_only(self) -> bool:
        return self.previewed_by_user_id is not None

    @property
    def spaces(self) -> tuple[Space, ...]:
        """The spaces this user may enter, agency first."""
        candidates = (
            (Space.AGENCY, self.is_agency),
            (Space.TENANT, bool(self.tenant_ids)),
            (Space.OWNER, bool(self.owner_ids)),
        )
        return tuple(space for space, allowed in candidates if allowed)

    def can_enter(self, space: Space) -> bool:
        return space in self.spaces


@dataclass(frozen=True)
class OpenedSession:
    """A freshly opened login session: the token goes into the cookie, never into the database."""

    token: str
    user: SessionUser
    max_age_seconds: int
    # The password was right; the session opens nothing until the second factor is given.
    awaiting_second_factor: bool = False


class SecondFactorRefused(Exception):
    """The code of a pending login was refused; `expired` when the login must start over.
    `first_wrong_code` names the person whose password was just typed before a first wrong
    code (they are told: their password is known to someone)."""

    def __init__(self, *, expired: bool, first_wrong_code: int | None = None) -> None:
        super().__init__("second factor refused")
        self.expired = expired
        self.first_wrong_code = first_wrong_code


def normalize_email(email: str) -> str:
    """E-mail addresses are stored and compared trimmed and lower-cased."""
    return email.strip().lower()


@lru_cache
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost if it does not exist)."""
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is None or user.password_hash is None:
        # Check a dummy hash so that an unknown address takes as long as a wrong password.
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, user.password_hash) or not user.is_active:
        return None
    return user


class LoginThrottled(Exception):
    """Too many failed logins for this account or from this address: tries refused for now."""

    def __init__(self, throttle: login_throttle.Throttled, now: datetime) -> None:
        super().__init__("login throttled")
        self.minutes_left = throttle.minutes_left(now)


def login(
    *,
    session: Session,
    email: str,
    password: str,
    ip: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> OpenedSession | None:
    """Check the credentials and open a login session; audited either way (slow: bcrypt).

    Raises LoginThrottled, after the same bcrypt work as a real check, when too many failures
    were counted for this address or this IP (services/login_throttle).
    """
    now = now or utcnow()
    address = normalize_email(email)[:254]
    if throttle := login_throttle.throttled(session=session, email=address, ip=ip, now=now):
        verify_password(password, _dummy_hash())  # same cost as a real check
        record_event(
            session=session,
            action="login.throttled",
            allowed=False,
            ip=ip,
            detail={"email": address},
        )
        session.commit()
        raise LoginThrottled(throttle, now)
    user = authenticate(session=session, email=email, password=password)
    # A login without any space (no staff flag, no linked profile) would have nowhere to go.
    failed = user is None or not _may_log_in(session, user)
    login_throttle.record_attempt(
        session=session, email=address, ip=ip, now=now, succeeded=not failed
    )
    if failed:
        record_event(
            session=session,
            action="login.failure",
            allowed=False,
            ip=ip,
            detail={"email": normalize_email(email)[:254]},
        )
        session.commit()
        return None
    opened = _open_session(session=session, user=user, ip=ip, user_agent=user_agent)
    action = "login.password_ok" if opened.awaiting_second_factor else "login.success"
    record_event(session=session, action=action, actor_user_id=user.id, ip=ip)
    session.commit()
    return opened


def _may_log_in(session: Session, user: User) -> bool:
    person = _session_user(session=session, user=user, session_id=0)
    return bool(person.spaces) or person.second_factor_due


def verify_second_factor(
    *,
    session: Session,
    token: str,
    code: str,
    ip: str = "",
    user_agent: str = "",
    now: datetime | None = None,
) -> OpenedSession:
    """Finish a login waiting for its second factor: a TOTP or recovery code opens a new
    session (new token) and ends the pending one (commits; slow only through the database).

    Raises SecondFactorRefused (wrong code; expired after too many or too late) or
    LoginThrottled (the account's failure budget is spent, codes and passwords alike).
    """
    now = now or utcnow()
    found = _pending_login(session, token, now)
    if found is None:
        raise SecondFactorRefused(expired=True)
    pending, user = found
    if throttle := login_throttle.throttled(session=session, email=user.email, ip=ip, now=now):
        raise LoginThrottled(throttle, now)
    if two_factor.check_code(session=session, user=user, code=code, now=now):
        pending.revoked_at = now
        opened = _open_session(
            session=session, user=user, ip=ip, user_agent=user_agent, second_factor_given=True
        )
        record_event(
            session=session,
            action="login.success",
            actor_user_id=user.id,
            ip=ip,
            detail={"second_factor": True},
        )
        session.commit()
        return opened
    _count_wrong_code(session, pending, user, ip, now)
    raise SecondFactorRefused(
        expired=pending.revoked_at is not None,
        first_wrong_code=user.id if pending.failed_codes == 1 else None,
    )


def _pending_login(session: Session, token: str, now: datetime) -> tuple[AuthSession, User] | None:
    if not token:
        return None
    row = session.exec(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(
            AuthSession.token_hash == hash_token(token),
            AuthSession.second_factor_pending.is_(True),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
        # Locked until the commit (PostgreSQL): simultaneous codes are checked and counted one
        # after the other, so the limits hold under a burst of parallel requests.
        .with_for_update()
    ).first()
    if row is None or not row[1].is_active or row[1].totp_enabled_at is None:
        return None
    return row


def _count_wrong_code(
    session: Session, pending: AuthSession, user: User, ip: str, now: datetime
) -> None:
    pending.failed_codes += 1
    if pending.failed_codes >= _MAX_CODE_FAILURES:
        pending.revoked_at = now
    login_throttle.count_failure(
        session=session,
        email=user.email,
        user_id=user.id,
        action="login.second_factor_failure",
        ip=ip,
        now=now,
    )


def open_login_session(
    *,
    session: Session,
    user_id: int,
    via: str,
    ip: str = "",
    user_agent: str = "",
    second_factor_given: bool = False,
) -> OpenedSession | None:
    """Log in a person who just proved who they are another way (`via`: access code, reset
    link), so they need not type their new password again; None if they may not log in."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if not _may_log_in(session, user):
        return None
    # Proving the e-mail address (reset link, access code) is not the second factor.
    opened = _open_session(
        session=session,
        user=user,
        ip=ip,
        user_agent=user_agent,
        second_factor_given=second_factor_given,
    )
    record_event(
        session=session,
        action="login.password_ok" if opened.awaiting_second_factor else "login.success",
        actor_user_id=user.id,
        ip=ip,
        detail={"via": via},
    )
    session.commit()
    return opened


def _lifetimes(user: User) -> tuple[timedelta, timedelta]:
    """Idle and absolute lifetimes; staff sessions are shorter because they see everyone's data."""
    settings = get_settings()
    if user.is_agency:
        return (
            timedelta(minutes=settings.staff_session_idle_minutes),
            timedelta(hours=settings.staff_session_absolute_hours),
        )
    return (
        timedelta(minutes=settings.session_idle_minutes),
        timedelta(hours=settings.session_absolute_hours),
    )


def _open_session(
    *, session: Session, user: User, ip: str, user_agent: str, second_factor_given: bool = False
) -> OpenedSession:
    now = utcnow()
    awaiting = user.totp_enabled_at is not None and not second_factor_given
    idle, absolute = (
        (_SECOND_FACTOR_WINDOW, _SECOND_FACTOR_WINDOW) if awaiting else _lifetimes(user)
    )
    token = new_token()
    auth_session = AuthSession(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        idle_expires_at=now + idle,
        expires_at=now + absolute,
        ip=ip[:45],
        user_agent=user_agent[:300],
        second_factor_pending=awaiting,
    )
    session.add(auth_session)
    if not awaiting:
        user.last_login_at = now
    session.flush()
    return OpenedSession(
        token=token,
        user=_session_user(session=session, user=user, session_id=auth_session.id),
        max_age_seconds=int(absolute.total_seconds()),
        awaiting_second_factor=awaiting,
    )


def _session_user(*, session: Session, user: User, session_id: int) -> SessionUser:
    tenant_ids = session.exec(select(Tenant.id).where(Tenant.user_id == user.id)).all()
    owner_ids = session.exec(select(Owner.id).where(Owner.user_id == user.id)).all()
    due = (
        user.is_agency
        and user.totp_enabled_at is None
        and two_factor.staff_requirement(session=session)
    )
    return SessionUser(
        user_id=user.id,
        session_id=session_id,
        email=user.email,
        display_name=user.display_name or user.email,
        is_agency=user.is_agency and not due,
        is_admin=user.is_agency and user.is_admin and not due,
        tenant_ids=tuple(sorted(tenant_ids)),
        owner_ids=tuple(sorted(owner_ids)),
        second_factor_due=due,
    )


def resolve_session(
    *, session: Session, token: str, now: datetime | None = None, touch: bool = True
) -> SessionUser | None:
    """The user of a live login session (not revoked, expired or idle, user active), or None.

    `touch=False` checks without counting as activity: a page polling for news must not keep
    an idle session alive.
    """
    if not token:
        return None
    now = now or utcnow()
    row = session.exec(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    auth_session, user = row
    if (
        auth_session.revoked_at is not None
        or auth_session.second_factor_pending
        or not user.is_active
        or now >= auth_session.expires_at
        or now >= auth_session.idle_expires_at
    ):
        return None
    if touch:
        _touch(session=session, auth_session=auth_session, user=user, now=now)
    return _session_user(session=session, user=user, session_id=auth_session.id)


def _touch(*, session: Session, auth_session: AuthSession, user: User, now: datetime) -> None:
    if now - auth_session.last_seen_at < _TOUCH_INTERVAL:
        return
    idle, _ = _lifetimes(user)
    auth_session.last_seen_at = now
    auth_session.idle_expires_at = min(now + idle, auth_session.expires_at)
    session.commit()


def logout(*, session: Session, token: str) -> None:
    """Revoke the login session behind `token` (nothing happens for an unknown token)."""
    if not token:
        return
    auth_session = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    ).first()
    if auth_session is None or auth_session.revoked_at is not None:
        return
    auth_session.revoked_at = utcnow()
    record_event(session=session, action="logout", actor_user_id=auth_session.user_id)
    session.commit()


def revoke_all_sessions(*, session: Session, user_id: int) -> int:
    """End every live login session of a user (deactivation, password change); adds, never
    commits: it belongs to the caller's use case. Returns how many were ended."""
    result = session.exec(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def count_live_sessions(*, session: Session, user_id: int) -> int:
    """How many login sessions of this user are still usable."""
    now = utcnow()
    return session.exec(
        select(func.count())
        .select_from(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.second_factor_pending.is_(False),
            AuthSession.expires_at > now,
            AuthSession.idle_expires_at > now,
        )
    ).one()


def landing_path(user: SessionUser) -> str:
    """Where a user goes after login: their only space, or the page to choose one (or their
    account page, when the agency requires a second factor they have not set up)."""
    if user.second_factor_due:
        return ACCOUNT_PATH
    spaces = user.spaces
    return spaces[0].path if len(spaces) == 1 else "/espace"


def _journal_refusal(session: Session | None, user: SessionUser, action: str) -> None:
    # Committed at once: the caller raises next, and a refused access must stay in the journal.
    if session is None:
        return
    record_event(
        session=session,
        action=action,
        actor_user_id=user.previewed_by_user_id or user.user_id,
        allowed=False,
        detail={"as_user": user.user_id} if user.read_only else None,
    )
    session.commit()


def require_staff(actor: SessionUser, *, session: Session | None = None) -> None:
    """Refuse (AccessDenied) anyone but agency staff; journaled when `session` is given."""
    if not actor.is_agency:
        _journal_refusal(session, actor, "access.staff_only")
        raise AccessDenied("Réservé à l'agence.")


def require_admin(actor: SessionUser, *, session: Session | None = None) -> None:
    """Refuse (AccessDenied) anyone but an agency administrator (never through an Aperçu);
    journaled when `session` is given."""
    if not (actor.is_agency and actor.is_admin) or actor.read_only:
        _journal_refusal(session, actor, "access.admin_only")
        raise AccessDenied("Réservé aux administrateurs de l'agence.")


def require_writable(user: SessionUser, *, session: Session | None = None) -> None:
    """Refuse any change made through a read-only preview of someone's space; journaled when
    `session` is given."""
    if user.read_only:
        _journal_refusal(session, user, "preview.change_refused")
        raise AccessDenied


def preview_as(
    *, session: Session, staff: SessionUser, target_user_id: int, ip: str = ""
) -> SessionUser:
    """The read-only view of a tenant's or owner's space that agency staff may open (audited)."""
    target = session.get(User, target_user_id) if staff.is_agency and not staff.read_only else None
    if target is None or target.is_agency:
        record_event(
            session=session,
            action="preview.denied",
            actor_user_id=staff.user_id,
            target_type="user",
            target_id=target_user_id,
            allowed=False,
            ip=ip,
        )
        session.commit()
        raise AccessDenied
    viewed = _session_user(session=session, user=target, session_id=staff.session_id)
    record_event(
        session=session,
        action="preview.start",
        actor_user_id=staff.user_id,
        target_type="user",
        target_id=target.id,
        ip=ip,
    )
    session.commit()
    return replace(viewed, previewed_by_user_id=staff.user_id)


def reopen_preview(
    *, session: Session, staff: SessionUser, target_user_id: int
) -> SessionUser | None:
    """The preview already started by `staff`, re-read on each event (None once not allowed)."""
    target = session.get(User, target_user_id)
    if not staff.is_agency or staff.read_only or target is None or target.is_agency:
        return None
    viewed = _session_user(session=session, user=target, session_id=staff.session_id)
    return replace(viewed, previewed_by_user_id=staff.user_id)
