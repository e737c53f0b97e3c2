"""Two-factor authentication: a TOTP code from a phone app (RFC 6238), or a one-time recovery code.

Anyone may switch it on from their account page; the agency admin can require it for staff
(AgencySettings.staff_two_factor_required, enforced by services/auth). The TOTP secret is kept
encrypted under SECRET_KEY (AES-GCM, bound to the user's id), so a copy of the database alone
does not give the codes; a code is accepted once (the last step used is stored); recovery codes
are kept as keyed hashes and each works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, func
from sqlmodel import Session, col, select, update

from extranet_app.models import AgencySettings, AuthSession, RecoveryCode, User
from extranet_app.models.base import utcnow
from extranet_app.services import login_throttle
from extranet_app.services.agency import AGENCY_SETTINGS_ID
from extranet_app.services.audit import record_event
from extranet_app.services.errors import AccessDenied
from extranet_app.settings import get_settings

RECOVERY_CODE_COUNT = 10
_STEP_SECONDS = 30
# One step either side: a phone clock 30 s off still works, a code lives at most 90 s.
_VALID_WINDOW = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed back
_NONCE_BYTES = 12


class TwoFactorError(Exception):
    """A refused two-factor change; `message` is French and shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TwoFactorStatus:
    """What the account page shows about the second factor."""

    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required: bool  # the agency requires it for this person (staff)


@dataclass(frozen=True)
class Enrolment:
    """A secret offered to set up the phone app, before the first code confirms it."""

    secret: str
    uri: str  # otpauth:// URI (what the QR code holds)
    qr_svg_data_uri: str


# --- secrets at rest ------------------------------------------------------------------------


def _secret_key() -> bytes:
    return hmac.new(get_settings().secret_key.encode(), b"totp-secret", hashlib.sha256).digest()


def encrypt_secret(secret: str, *, user_id: int) -> str:
    """The base32 `secret` encrypted for storage, bound to `user_id` (64 characters)."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    raw = base64.b32decode(secret)
    sealed = AESGCM(_secret_key()).encrypt(nonce, raw, f"user:{user_id}".encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def decrypt_secret(stored: str, *, user_id: int) -> str | None:
    """The base32 secret, or None if it cannot be read (another SECRET_KEY, another user)."""
    try:
        blob = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
        raw = AESGCM(_secret_key()).decrypt(
            blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], f"user:{user_id}".encode()
        )
    except (InvalidTag, ValueError):
        return None
    return base64.b32encode(raw).decode()


# --- enrolment ------------------------------------------------------------------------------


def new_enrolment(*, email: str, issuer: str) -> Enrolment:
    """A fresh secret and its QR code, for the account page to show before confirming."""
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)
    return Enrolment(secret=secret, uri=uri, qr_svg_data_uri=_qr_svg(uri))


def _qr_svg(uri: str) -> str:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def enable(
    *,
    session: Session,
    user_id: int,
    secret: str,
    code: str,
    keep_session_id: int | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Switch two-factor on once the first code from the app matches (commits); returns the
    recovery codes, shown once. Raises TwoFactorError.

    Every other session of the person ends (`keep_session_id`, the one that just proved it
    holds the phone, stays): a session opened elsewhere with the password alone must not
    become, by this switch, one that looks as if it had given the second factor."""
    now = now or utcnow()
    user = _active_user(session, user_id, lock=True)
    if user.totp_enabled_at is not None:
        raise TwoFactorError("La double authentification est déjà activée.")
    step = _matching_step(secret, code, now, last_step=None)
    if step is None:
        raise TwoFactorError("Code incorrect : saisissez le code à 6 chiffres affiché par l'appli.")
    user.totp_secret = encrypt_secret(secret, user_id=user.id)
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = _replace_recovery_codes(session, user.id)
    session.exec(
        update(AuthSession)
        .where(
            col(AuthSession.user_id) == user.id,
            col(AuthSession.revoked_at).is_(None),
            col(AuthSession.id) != (keep_session_id or 0),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    _journal(session, user, "two_factor.enabled")
    session.commit()
    return codes


def disable(*, session: Session, user_id: int, code: str, now: datetime | None = None) -> None:
    """Switch two-factor off with a current code (commits); refused for staff when the agency
    requires it. Raises TwoFactorError."""
    now = now or utcnow()
    user = _active_user(session, user_id, lock=True)
    if user.totp_enabled_at is not None and is_required_for(session=session, user=user):
        raise TwoFactorError("L'agence exige la double authentification pour son équipe.")
    _confirm(session, user, code, now)
    switch_off(session=session, user=user)
    _journal(session, user, "two_factor.disabled")
    session.commit()


def regenerate_recovery_codes(
    *, session: Session, user_id: int, code: str, now: datetime | None = None
) -> list[str]:
    """New recovery codes (the old ones stop working) after a current code (commits)."""
    now = now or utcnow()
    user = _active_user(session, user_id, lock=True)
    _confirm(session, user, code, now)
    codes = _replace_recovery_codes(session, user.id)
    _journal(session, user, "two_factor.recovery_codes")
    session.commit()
    return codes


def _confirm(session: Session, user: User, code: str, now: datetime) -> None:
    """A change to the second factor needs a current code. Wrong codes count against the
    account's login throttling, so a stolen session cannot try every code to switch it off."""
    if user.totp_enabled_at is None:
        raise TwoFactorError("La double authentification n'est pas activée.")
    if throttle := login_throttle.throttled(session=session, email=user.email, ip="", now=now):
        minutes = throttle.minutes_left(now)
        raise TwoFactorError(f"Trop de codes erronés : réessayez dans {minutes} min.")
    if check_code(session=session, user=user, code=code, now=now):
        return
    login_throttle.count_failure(
        session=session,
        email=user.email,
        user_id=user.id,
        action="two_factor.code_refused",
        ip="",
        now=now,
    )
    raise TwoFactorError("Code incorrect.")


def _journal(session: Session, user: User, action: str) -> None:
    record_event(
        session=session, action=action, actor_user_id=user.id, target_type="user", target_id=user.id
    )


def switch_off(*, session: Session, user: User) -> None:
    """Forget the secret and the recovery codes (not committed; the caller journals)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))


def _active_user(session: Session, user_id: int, *, lock: bool = False) -> User:
    # `lock`: the row stays locked (PostgreSQL) until the commit, so that simultaneous requests
    # check the throttling and count their failures one after the other, not all at once.
    user = session.get(User, user_id, with_for_update=lock, populate_existing=lock)
    if user is None or not user.is_active:
        raise AccessDenied
    return user


# --- checking a code ------------------------------------------------------------------------


def check_code(*, session: Session, user: User, code: str, now: datetime) -> bool:
    """Whether `code` is a valid TOTP code (not used before) or an unused recovery code of
    `user`; either is used up (flushed, not committed)."""
    cleaned = "".join(code.split()).replace("-", "").lower()
    if cleaned.isdigit() and len(cleaned) == 6:
        return _use_totp(session, user, cleaned, now)
    return _use_recovery_code(session, user, cleaned, now)


def _use_totp(session: Session, user: User, code: str, now: datetime) -> bool:
    secret = decrypt_secret(user.totp_secret or "", user_id=user.id)
    step = _matching_step(secret, code, now, last_step=user.totp_last_step) if secret else None
    if step is None:
        return False
    # Conditional update: of two simultaneous logins with the same code, one wins.
    claimed = session.exec(
        update(User)
        .where(
            col(User.id) == user.id,
            (col(User.totp_last_step).is_(None)) | (col(User.totp_last_step) < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        user.totp_last_step = step
    return claimed == 1


def _matching_step(secret: str, code: str, now: datetime, *, last_step: int | None) -> int | None:
    """The time step whose code is `code` (within the window, after `last_step`), or None."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // _STEP_SECONDS
    for step in range(current - _VALID_WINDOW, current + _VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * _STEP_SECONDS), code):
            return step
    return None


def _recovery_hash(user_id: int, code: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"recovery:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    if not code or len(code) > 20:
        return False
    used = session.exec(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == _recovery_hash(user.id, code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used:
        _journal(session, user, "two_factor.recovery_code_used")
    return used == 1


def _replace_recovery_codes(session: Session, user_id: int) -> list[str]:
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        plain = code.replace("-", "")
        session.add(RecoveryCode(user_id=user_id, code_hash=_recovery_hash(user_id, plain)))
    return codes


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


# --- status ---------------------------------------------------------------------------------


def staff_requirement(*, session: Session) -> bool:
    """Whether the agency requires two-factor authentication for its staff."""
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    return bool(row and row.staff_two_factor_required)


def is_required_for(*, session: Session, user: User) -> bool:
    """Whether this person must use two-factor authentication (agency staff, when required)."""
    return user.is_agency and staff_requirement(session=session)


def status(*, session: Session, user_id: int) -> TwoFactorStatus:
    """The second factor of a user, for their account page."""
    user = _active_user(session, user_id)
    left = session.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    ).one()
    return TwoFactorStatus(
        enabled=user.totp_enabled_at is not None,
        enabled_at=user.totp_enabled_at,
        recovery_codes_left=left,
        required=is_required_for(session=session, user=user),
    )
