"""A person's own account security: their open login sessions, ending them, changing the
password; and the agency admin's reset of someone's second factor.

Every function takes the SessionUser of the caller and touches only that user's rows (the
query filters by user id): a forged session reference names nothing of anyone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select, update

from extranet_app.models import AuthSession, User
from extranet_app.models.base import utcnow
from extranet_app.services import access_codes, login_throttle, two_factor
from extranet_app.services.audit import record_event
from extranet_app.services.auth import (
    LoginThrottled,
    OpenedSession,
    SecondFactorRefused,
    SessionUser,
    open_login_session,
    revoke_all_sessions,
    verify_second_factor,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.passwords import (
    SAME_AS_CURRENT,
    PasswordRejected,
    check_password_policy,
)
from extranet_app.services.security import hash_password, verify_password


class WrongPassword(Exception):
    """The current password given to change it is not the right one."""


@dataclass(frozen=True)
class OpenSession:
    """One live login session of the person, as their account page lists it."""

    session_id: int
    device: str  # "Chrome sur Android"
    ip: str
    started_at: datetime
    last_seen_at: datetime
    is_current: bool


# --- sessions -------------------------------------------------------------------------------


def _live(user_id: int, now: datetime):
    return (
        col(AuthSession.user_id) == user_id,
        col(AuthSession.revoked_at).is_(None),
        col(AuthSession.second_factor_pending).is_(False),
        col(AuthSession.expires_at) > now,
        col(AuthSession.idle_expires_at) > now,
    )


def list_sessions(
    *, session: Session, user: SessionUser, now: datetime | None = None
) -> list[OpenSession]:
    """The person's live login sessions, the current one first, then the most recent."""
    _refuse_preview(user, session)
    rows = session.exec(
        select(AuthSession)
        .where(*_live(user.user_id, now or utcnow()))
        .order_by(col(AuthSession.last_seen_at).desc(), col(AuthSession.id).desc())
    ).all()
    listed = [
        OpenSession(
            session_id=row.id,
            device=describe_device(row.user_agent),
            ip=row.ip,
            started_at=row.created_at,
            last_seen_at=row.last_seen_at,
            is_current=row.id == user.session_id,
        )
        for row in rows
    ]
    return sorted(listed, key=lambda item: not item.is_current)


def end_session(*, session: Session, user: SessionUser, session_id: int) -> bool:
    """End one of the person's own sessions (commits); False when there was no such live
    session of theirs (another person's id changes nothing)."""
    _refuse_preview(user, session)
    ended = _revoke(session, user, col(AuthSession.id) == session_id)
    record_event(
        session=session,
        action="session.ended",
        actor_user_id=user.user_id,
        target_type="auth_session",
        target_id=session_id,
        allowed=ended > 0,
    )
    session.commit()
    return ended > 0


def end_other_sessions(*, session: Session, user: SessionUser) -> int:
    """End every session of the person but the one they use (commits); returns how many."""
    _refuse_preview(user, session)
    ended = _revoke(session, user, col(AuthSession.id) != user.session_id)
    record_event(
        session=session,
        action="session.others_ended",
        actor_user_id=user.user_id,
        target_type="user",
        target_id=user.user_id,
        detail={"count": ended},
    )
    session.commit()
    return ended


def _revoke(session: Session, user: SessionUser, which) -> int:
    return session.exec(
        update(AuthSession)
        .where(
            col(AuthSession.user_id) == user.user_id,
            col(AuthSession.revoked_at).is_(None),
            which,
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def _check_current_password(
    session: Session, user: SessionUser, current_password: str, ip: str
) -> User:
    """The person's row once their current password is right; a wrong one is journaled and
    counts against the login's budget (a stolen session must not be a way to guess it)."""
    row = session.get(User, user.user_id, with_for_update=True, populate_existing=True)
    if row is None or not row.is_active or row.password_hash is None:
        raise AccessDenied
    now = utcnow()
    if throttle := login_throttle.throttled(session=session, email=row.email, ip=ip, now=now):
        raise LoginThrottled(throttle, now)
    if not verify_password(current_password, row.password_hash):
        login_throttle.count_failure(
            session=session,
            email=row.email,
            user_id=row.id,
            action="password.check_refused",
            ip=ip,
            now=now,
        )
        raise WrongPassword
    return row


def _refuse_preview(user: SessionUser, session: Session) -> None:
    # Staff looking at someone's space (Aperçu) never see nor touch that person's account
    # security; the refusal is journaled.
    if user.read_only:
        record_event(
            session=session,
            action="preview.account_refused",
            actor_user_id=user.previewed_by_user_id,
            allowed=False,
            detail={"as_user": user.user_id},
        )
        session.commit()
        raise AccessDenied


_BROWSERS = (
    ("Edge", r"Edg/"),
    ("Opera", r"OPR/"),
    ("Firefox", r"Firefox/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux"),
)


def describe_device(user_agent: str) -> str:
    """A short French name of the browser and system behind a User-Agent header."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    if browser and system:
        return f"{browser} sur {system}"
    return browser or system or "Appareil inconnu"


# --- password -------------------------------------------------------------------------------


def change_password(
    *,
    session: Session,
    user: SessionUser,
    current_password: str,
    new_password: str,
    ip: str = "",
    user_agent: str = "",
) -> OpenedSession:
    """Change one's password (slow: bcrypt; commits): every session ends, this browser gets a
    new one, and an e-mail tells the person. Raises WrongPassword or PasswordRejected."""
    _refuse_preview(user, session)
    row = _check_current_password(session, user, current_password, ip)
    if new_password == current_password:
        raise PasswordRejected(SAME_AS_CURRENT)
    check_password_policy(new_password, email=row.email)
    row.password_hash = hash_password(new_password)
    revoke_all_sessions(session=session, user_id=row.id)
    access_codes.queue_password_confirmation(session=session, user=row)
    record_event(
        session=session,
        action="password.changed",
        actor_user_id=row.id,
        target_type="user",
        target_id=row.id,
        ip=ip,
    )
    session.commit()
    opened = open_login_session(
        session=session,
        user_id=row.id,
        via="password_change",
        ip=ip,
        user_agent=user_agent,
        second_factor_given=True,  # this session had given it, and the password was retyped
    )
    if opened is None:
        raise AccessDenied
    return opened


# --- two-factor, with a notice by e-mail -----------------------------------------------------


def switch_on_two_factor(
    *,
    session: Session,
    user: SessionUser,
    secret: str,
    code: str,
    current_password: str,
    ip: str = "",
) -> list[str]:
    """two_factor.enable from this session (every other one ends), then an e-mail telling the
    person (commits); the recovery codes. The current password is asked again (slow: bcrypt):
    a stolen session alone must not be able to tie the account to someone else's phone.
    Raises WrongPassword, LoginThrottled or TwoFactorError."""
    _refuse_preview(user, session)
    _check_current_password(session, user, current_password, ip)
    codes = two_factor.enable(
        session=session,
        user_id=user.user_id,
        secret=secret,
        code=code,
        keep_session_id=user.session_id,
    )
    _notice(session, user.user_id, "Double authentification activée", _ENABLED_TEXT)
    return codes


def finish_login(
    *, session: Session, token: str, code: str, ip: str = "", user_agent: str = ""
) -> OpenedSession:
    """auth.verify_second_factor, telling the person by e-mail when a wrong code follows their
    right password (someone knows it) or when a recovery code let them in (commits)."""
    try:
        opened = verify_second_factor(
            session=session, token=token, code=code, ip=ip, user_agent=user_agent
        )
    except SecondFactorRefused as refused:
        if refused.first_wrong_code is not None:
            _notice(session, refused.first_wrong_code, _WRONG_CODE_TITLE, _WRONG_CODE_TEXT)
        raise
    if not "".join(code.split()).isdigit():
        _notice(session, opened.user.user_id, _RECOVERY_TITLE, _RECOVERY_TEXT)
    return opened


def switch_off_two_factor(*, session: Session, user_id: int, code: str) -> None:
    """two_factor.disable, then an e-mail telling the person (commits)."""
    two_factor.disable(session=session, user_id=user_id, code=code)
    _notice(session, user_id, "Double authentification désactivée", _DISABLED_TEXT)


_ENABLED_TEXT = (
    "La double authentification vient d'être activée sur votre compte extranet : un code de "
    "votre appli vous sera demandé à chaque connexion. Vos autres sessions ont été fermées."
)
_WRONG_CODE_TITLE = "Tentative de connexion à votre compte"
_WRONG_CODE_TEXT = (
    "Votre mot de passe a été saisi correctement, puis un code de vérification erroné. Si ce "
    "n'était pas vous, quelqu'un connaît votre mot de passe : changez-le dans Mon compte."
)
_RECOVERY_TITLE = "Code de secours utilisé"
_RECOVERY_TEXT = (
    "Un code de secours vient de servir à vous connecter. Chacun ne sert qu'une fois : vous "
    "pouvez en générer de nouveaux dans Mon compte."
)
_DISABLED_TEXT = (
    "La double authentification vient d'être désactivée sur votre compte extranet : le mot de "
    "passe suffit de nouveau pour vous connecter."
)


def _notice(session: Session, user_id: int, title: str, text: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        access_codes.queue_security_notice(session=session, user=user, title=title, text=text)
        session.commit()


# --- agency side ----------------------------------------------------------------------------


def reset_two_factor(*, session: Session, actor: SessionUser, user_id: int) -> None:
    """An agency admin switches off a person's second factor (lost phone), ending their
    sessions (commits). Refused and journaled for anyone else, and for oneself."""
    target = session.get(User, user_id)
    allowed = (
        actor.is_admin
        and not actor.read_only
        and target is not None
        and target.id != actor.user_id
        and target.totp_enabled_at is not None
    )
    record_event(
        session=session,
        action="two_factor.reset" if allowed else "two_factor.reset_denied",
        actor_user_id=actor.previewed_by_user_id or actor.user_id,
        target_type="user",
        target_id=user_id,
        allowed=allowed,
    )
    if not allowed:
        session.commit()
        raise AccessDenied
    two_factor.switch_off(session=session, user=target)
    revoke_all_sessions(session=session, user_id=target.id)
    access_codes.queue_security_notice(
        session=session,
        user=target,
        title="Double authentification réinitialisée",
        text="L'agence a désactivé la double authentification de votre compte extranet à la "
        "suite d'une demande : le mot de passe suffit pour vous connecter, vous pouvez la "
        "réactiver dans Mon compte. Si vous n'êtes pas à l'origine de cette demande, "
        "changez votre mot de passe.",
    )
    session.commit()
