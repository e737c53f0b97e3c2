"""Access codes (activation) and password reset links: issued, e-mailed, checked, used once.

Only hashes are stored: the link token as SHA-256 (it has 256 random bits), the typed short code
as an HMAC keyed with SECRET_KEY (50 bits could be brute-forced offline from a plain hash, but not
without the key, which never is in the database). The secrets themselves exist only in the
e-mail: the outbox row keeps a masked preview, and the code is minted when the e-mail is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, insert
from sqlmodel import Session, col, select, update

from extranet_app.email.messages import (
    EmailContent,
    build_account_activated_email,
    build_invitation_email,
    build_notification_email,
    build_password_reset_email,
)
from extranet_app.models import Invitation, OutboxEmail, OutboxStatus, User
from extranet_app.models.base import utcnow
from extranet_app.services.agency import AgencyIdentity, get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import (
    SessionUser,
    normalize_email,
    require_staff,
    revoke_all_sessions,
)
from extranet_app.services.outbox import (
    EmailKind,
    EmailToQueue,
    Finalized,
    SendingContext,
    checked_ids,
    queue_email,
    queue_emails,
    record_user_events,
)
from extranet_app.services.passwords import check_password_policy
from extranet_app.services.security import hash_password, hash_token, new_token
from extranet_app.settings import get_settings

ACTIVATION_PATH = "/activation"
PASSWORD_RESET_PATH = "/mot-de-passe/nouveau"  # noqa: S105 (a page, not a password)
FORGOT_PASSWORD_PATH = "/mot-de-passe-oublie"  # noqa: S105 (a page, not a password)
LOGIN_PATH = "/connexion"
TOKEN_PARAMETER = "jeton"  # noqa: S105 (the name of the query parameter)
PASSWORD_RESET_VALIDITY = timedelta(minutes=30)
# Crockford's base 32: no I, L, O or U, so what a person reads is what they type (50 bits).
SHORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_LENGTH = 10
MASKED_SHORT_CODE = "XXXX-XXXX-XX"
MASKED_TOKEN = "code-personnel-genere-a-l-envoi"  # noqa: S105 (shown in previews)
_TYPING_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# A person who did not get the reset e-mail may ask again, but not flood a mailbox.
_MAX_RESET_REQUESTS_PER_HOUR = 3


class CodePurpose(StrEnum):
    """What an Invitation row is for (its `purpose` column)."""

    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)


class CodeProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REPLACED = "replaced"
    ACCOUNT_DISABLED = "account_disabled"


_MESSAGES = {
    CodePurpose.ACTIVATION: {
        CodeProblem.UNKNOWN: "Ce code d'accès n'est pas valable. Vérifiez l'adresse e-mail et le "
        "code saisis, ou demandez un nouveau code à votre agence.",
        CodeProblem.EXPIRED: "Ce code a expiré. Demandez un nouveau code à votre agence.",
        CodeProblem.USED: "Ce code a déjà été utilisé. Connectez-vous avec votre mot de passe, "
        "ou demandez un nouveau code à votre agence.",
        CodeProblem.REPLACED: "Ce code a été remplacé par un code plus récent : utilisez le "
        "dernier e-mail reçu, ou demandez un nouveau code à votre agence.",
        CodeProblem.ACCOUNT_DISABLED: "Ce compte est désactivé. Contactez votre agence.",
    },
    CodePurpose.PASSWORD_RESET: {
        CodeProblem.UNKNOWN: "Ce lien de réinitialisation n'est pas valable. Faites une nouvelle "
        "demande depuis la page de connexion (« Mot de passe oublié »).",
        CodeProblem.EXPIRED: "Ce lien a expiré : il n'est valable que 30 minutes. Faites une "
        "nouvelle demande depuis la page de connexion (« Mot de passe oublié »).",
        CodeProblem.USED: "Ce lien a déjà été utilisé. Connectez-vous, ou faites une nouvelle "
        "demande depuis la page de connexion.",
        CodeProblem.REPLACED: "Ce lien a été remplacé par un lien plus récent : utilisez le "
        "dernier e-mail reçu.",
        CodeProblem.ACCOUNT_DISABLED: "Ce compte est désactivé. Contactez votre agence.",
    },
}


class AccessCodeError(Exception):
    """An access code or reset link that cannot be used; `message` is what the person reads."""

    def __init__(self, problem: CodeProblem, purpose: CodePurpose) -> None:
        self.problem = problem
        self.purpose = purpose
        self.message = _MESSAGES[purpose][problem]
        super().__init__(self.message)


@dataclass(frozen=True)
class IssuedCode:
    """A freshly issued secret: the only moment its plain value exists (it goes into an e-mail)."""

    user_id: int
    token: str
    short_code: str | None
    expires_at: datetime


@dataclass(frozen=True)
class CodeHolder:
    """Whose live code this is: what the activation or reset page shows."""

    user_id: int
    email: str
    display_name: str
    purpose: CodePurpose
    expires_at: datetime


@dataclass(frozen=True)
class PasswordSet:
    """The account whose password was just set (the page then logs the person in)."""

    user_id: int
    email: str
    first_activation: bool


# --- Secrets ---------------------------------------------------------------------------------


def new_short_code() -> str:
    """A random 10-character code from an unambiguous alphabet, grouped as "K7QF-9XM2-PA"."""
    raw = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_short_code(typed: str) -> str | None:
    """The canonical code a person meant (case, spaces, dashes and O/I/L forgiven), or None."""
    cleaned = "".join(typed.split()).replace("-", "").upper().translate(_TYPING_FIXES)
    if len(cleaned) != SHORT_CODE_LENGTH or not set(cleaned) <= set(SHORT_CODE_ALPHABET):
        return None
    return cleaned


def hash_short_code(*, user_id: int, short_code: str) -> str:
    """The keyed hash stored for a short code (HMAC-SHA256 with a key derived from SECRET_KEY)."""
    key = hmac.new(get_settings().secret_key.encode(), b"extranet/short-code/v1", hashlib.sha256)
    canonical = normalize_short_code(short_code) or ""
    digest = hmac.new(key.digest(), f"{user_id}:{canonical}".encode(), hashlib.sha256)
    return f"hmac-sha256:{digest.hexdigest()}"


def _purpose_of(invitation: Invitation) -> CodePurpose:
    return CodePurpose(invitation.purpose)


def _revoke_open_codes(
    *,
    session: Session,
    user_ids: Collection[int],
    now: datetime,
    purpose: CodePurpose | None = None,
) -> None:
    query = update(Invitation).where(
        col(Invitation.user_id).in_(user_ids),
        col(Invitation.used_at).is_(None),
        col(Invitation.revoked_at).is_(None),
    )
    if purpose is not None:
        query = query.where(col(Invitation.purpose) == purpose)
    session.exec(query.values(revoked_at=now).execution_options(synchronize_session=False))


def _store_codes(
    session: Session, issued: list[IssuedCode], now: datetime, created_by_id: int | None
) -> None:
    """Hashes only; one multi-row INSERT, since a bulk enrolment sends thousands of codes."""
    session.connection().execute(
        insert(Invitation),
        [
            {
                "user_id": code.user_id,
                # Only activation codes come with a code to type; reset links never do.
                "purpose": (
                    CodePurpose.ACTIVATION if code.short_code else CodePurpose.PASSWORD_RESET
                ).value,
                "token_hash": hash_token(code.token),
                "short_code_hash": (
                    hash_short_code(user_id=code.user_id, short_code=code.short_code)
                    if code.short_code
                    else None
                ),
                "created_at": now,
                "expires_at": code.expires_at,
                "created_by_id": created_by_id,
            }
            for code in issued
        ],
    )


def issue_access_codes(
    *,
    session: Session,
    users: Sequence[User],
    now: datetime | None = None,
    created_by_id: int | None = None,
) -> list[IssuedCode]:
    """New activation codes, each replacing every open code of its person (adds, never commits)."""
    now = now or utcnow()
    expires_at = now + timedelta(days=get_settings().access_code_valid_days)
    issued = [IssuedCode(user.id, new_token(), new_short_code(), expires_at) for user in users]
    if issued:
        _revoke_open_codes(session=session, user_ids=[user.id for user in users], now=now)
        _store_codes(session, issued, now, created_by_id)
    return issued


def issue_access_code(
    *, session: Session, user: User, now: datetime | None = None, created_by_id: int | None = None
) -> IssuedCode:
    """A new activation code for `user`, replacing every open one (adds, never commits)."""
    return issue_access_codes(session=session, users=[user], now=now, created_by_id=created_by_id)[
        0
    ]


def issue_password_reset_tokens(
    *, session: Session, users: Sequence[User], now: datetime | None = None
) -> list[IssuedCode]:
    """New 30-minute reset links, each replacing its person's open reset links (never commits)."""
    now = now or utcnow()
    issued = [
        IssuedCode(user.id, new_token(), None, now + PASSWORD_RESET_VALIDITY) for user in users
    ]
    if issued:
        # An activation code the agency sent stays valid: a stranger asking for a reset must
        # not be able to cancel it.
        user_ids = [user.id for user in users]
        purpose = CodePurpose.PASSWORD_RESET
        _revoke_open_codes(session=session, user_ids=user_ids, now=now, purpose=purpose)
        _store_codes(session, issued, now, None)
    return issued


def issue_password_reset_token(
    *, session: Session, user: User, now: datetime | None = None
) -> IssuedCode:
    """A new 30-minute reset link for `user`, replacing open reset links (adds, never commits)."""
    return issue_password_reset_tokens(session=session, users=[user], now=now)[0]


def _page_url(path: str, token: str | None = None) -> str:
    base = get_settings().public_url.rstrip("/") + path
    return f"{base}?{TOKEN_PARAMETER}={token}" if token else base


# --- Queuing and sending the access code e-mail ------------------------------------------------


def _access_code_preview(user: User, agency: AgencyIdentity, now: datetime) -> EmailContent:
    """The access code e-mail with its secrets masked, as the agency reviews it."""
    return build_invitation_email(
        agency=agency,
        to_name=user.display_name,
        login_email=user.email,
        activation_url=_page_url(ACTIVATION_PATH, MASKED_TOKEN),
        short_code=MASKED_SHORT_CODE,
        expires_at=now + timedelta(days=get_settings().access_code_valid_days),
    )


@dataclass(frozen=True)
class QueuedCodes:
    """Result of transferring access codes to the centre d'envoi."""

    queued: int
    already_queued: int
    skipped_inactive: int


def queue_access_code_emails(
    *, session: Session, actor: SessionUser, user_ids: Sequence[int]
) -> QueuedCodes:
    """Transfer access codes to the centre d'envoi: one e-mail per person, none for a person
    whose e-mail already waits (adds, never commits; agency staff only)."""
    require_staff(actor)
    user_ids, created_by_id = checked_ids(user_ids), actor.user_id
    now, agency = utcnow(), get_agency_identity(session=session)
    queued, already, inactive = 0, 0, 0
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start : start + 500])
        users = session.exec(select(User).where(col(User.id).in_(chunk))).all()
        waiting = _users_with_waiting_code_email(session, chunk)
        inactive += sum(1 for user in users if not user.is_active)
        already += sum(1 for user in users if user.is_active and user.id in waiting)
        to_queue = [user for user in users if user.is_active and user.id not in waiting]
        queued += _queue_access_code_emails(session, to_queue, agency, now, created_by_id)
    return QueuedCodes(queued, already, inactive)


def _users_with_waiting_code_email(session: Session, user_ids: list[int]) -> set[int]:
    rows = session.exec(
        select(OutboxEmail.user_id).where(
            col(OutboxEmail.user_id).in_(user_ids),
            OutboxEmail.kind == EmailKind.ACCESS_CODE,
            col(OutboxEmail.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
    ).all()
    return set(rows)


def _queue_access_code_emails(
    session: Session,
    users: Sequence[User],
    agency: AgencyIdentity,
    now: datetime,
    created_by_id: int | None,
) -> int:
    emails = [
        EmailToQueue(
            kind=EmailKind.ACCESS_CODE,
            to_address=user.email,
            to_name=user.display_name,
            message=_access_code_preview(user, agency, now),
            user_id=user.id,
            created_by_id=created_by_id,
        )
        for user in users
    ]
    queue_emails(session=session, emails=emails)
    record_user_events(
        session=session,
        action="access_code.queued",
        user_ids=[user.id for user in users],
        actor_user_id=created_by_id,
    )
    return len(emails)


def _latest_row_per_user(
    session: Session, rows: Sequence[OutboxEmail], finalized: Finalized, what: str
) -> list[tuple[OutboxEmail, User]]:
    """The rows still worth sending, with their recipients; the others are skipped with a reason."""
    user_ids = {row.user_id for row in rows if row.user_id is not None}
    users = {user.id: user for user in session.exec(select(User).where(col(User.id).in_(user_ids)))}
    latest: dict[int, tuple[OutboxEmail, User]] = {}
    for row in sorted(rows, key=lambda row: row.id):
        user = users.get(row.user_id)
        if user is None or not user.is_active:
            finalized.skipped[row.id] = f"Compte désactivé ou supprimé : {what} n'a pas été envoyé."
        elif user.email != row.to_address:
            finalized.skipped[row.id] = (
                f"L'adresse e-mail a changé depuis la mise en file : {what} n'a pas été envoyé."
            )
        else:
            if user.id in latest:  # two codes in one batch would both stay valid
                finalized.skipped[latest[user.id][0].id] = "Remplacé par un envoi plus récent."
            latest[user.id] = (row, user)
    return list(latest.values())


def finalize_access_code_emails(
    session: Session, rows: Sequence[OutboxEmail], context: SendingContext
) -> Finalized:
    """At sending time: mint each person's code (replacing older ones), build the real e-mails."""
    finalized = Finalized()
    ready = _latest_row_per_user(session, rows, finalized, "le code")
    by_creator: dict[int | None, list[tuple[OutboxEmail, User]]] = defaultdict(list)
    for row, user in ready:
        by_creator[row.created_by_id].append((row, user))
    for created_by_id, group in by_creator.items():
        codes = issue_access_codes(
            session=session,
            users=[user for _, user in group],
            now=context.now,
            created_by_id=created_by_id,
        )
        for (row, user), code in zip(group, codes, strict=True):
            finalized.contents[row.id] = build_invitation_email(
                agency=context.agency,
                to_name=row.to_name,
                login_email=user.email,
                activation_url=_page_url(ACTIVATION_PATH, code.token),
                short_code=code.short_code or "",
                expires_at=code.expires_at,
            )
    return finalized


def finalize_password_reset_emails(
    session: Session, rows: Sequence[OutboxEmail], context: SendingContext
) -> Finalized:
    """At sending time: mint the 30-minute reset links and build the real e-mails."""
    finalized = Finalized()
    ready = _latest_row_per_user(session, rows, finalized, "le lien")
    users = [user for _, user in ready]
    codes = issue_password_reset_tokens(session=session, users=users, now=context.now)
    for (row, _), code in zip(ready, codes, strict=True):
        finalized.contents[row.id] = build_password_reset_email(
            agency=context.agency,
            to_name=row.to_name,
            reset_url=_page_url(PASSWORD_RESET_PATH, code.token),
            valid_minutes=int(PASSWORD_RESET_VALIDITY.total_seconds() // 60),
        )
    return finalized


# --- Checking and using a code -----------------------------------------------------------------


def _find_by_token(session: Session, token: str) -> Invitation | None:
    if not isinstance(token, str) or not token:  # arguments from the browser are not typed
        return None
    return session.exec(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).first()


def _find_by_short_code(session: Session, email: str, short_code: str) -> Invitation | None:
    if not isinstance(email, str) or not isinstance(short_code, str):
        return None
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    canonical = normalize_short_code(short_code)
    if user is None or canonical is None:
        return None
    digest = hash_short_code(user_id=user.id, short_code=canonical)
    return session.exec(
        select(Invitation).where(
            Invitation.user_id == user.id, Invitation.short_code_hash == digest
        )
    ).first()


def _problem(invitation: Invitation, user: User, now: datetime) -> CodeProblem | None:
    if invitation.used_at is not None:
        return CodeProblem.USED
    if invitation.revoked_at is not None:
        return CodeProblem.REPLACED
    if now >= invitation.expires_at:
        return CodeProblem.EXPIRED
    if not user.is_active:
        return CodeProblem.ACCOUNT_DISABLED
    return None


def _refuse(
    session: Session, problem: CodeProblem, purpose: CodePurpose, *, user_id: int | None, ip: str
) -> AccessCodeError:
    """Journal the refusal (committed now: the exception ends the use case) and build the error."""
    record_event(
        session=session,
        action=f"{purpose.value}.refused",
        target_type="user" if user_id else "",
        target_id=user_id,
        allowed=False,
        ip=ip,
        detail={"problem": problem.value},
    )
    session.commit()
    return AccessCodeError(problem, purpose)


def _live_code(
    session: Session,
    invitation: Invitation | None,
    purpose: CodePurpose,
    now: datetime,
    ip: str,
) -> tuple[Invitation, User]:
    if invitation is None or _purpose_of(invitation) is not purpose:
        raise _refuse(session, CodeProblem.UNKNOWN, purpose, user_id=None, ip=ip)
    user = session.get(User, invitation.user_id)
    problem = _problem(invitation, user, now)
    if problem is not None:
        raise _refuse(session, problem, purpose, user_id=user.id, ip=ip)
    return invitation, user


def _locate_activation_code(
    session: Session, token: str | None, email: str | None, short_code: str | None
) -> Invitation | None:
    if token:
        return _find_by_token(session, token)
    if email and short_code:
        return _find_by_short_code(session, email, short_code)
    return None


def check_access_code(
    *,
    session: Session,
    token: str | None = None,
    email: str | None = None,
    short_code: str | None = None,
    ip: str = "",
    now: datetime | None = None,
) -> CodeHolder:
    """Whose live activation code this is (by link token, or e-mail + typed code); raises
    AccessCodeError otherwise. Does not use the code up."""
    invitation = _locate_activation_code(session, token, email, short_code)
    invitation, user = _live_code(session, invitation, CodePurpose.ACTIVATION, now or utcnow(), ip)
    return CodeHolder(
        user.id, user.email, user.display_name, CodePurpose.ACTIVATION, invitation.expires_at
    )


def check_password_reset_token(
    *, session: Session, token: str, ip: str = "", now: datetime | None = None
) -> CodeHolder:
    """Whose live reset link this is; raises AccessCodeError otherwise. Does not use it up."""
    invitation = _find_by_token(session, token)
    invitation, user = _live_code(
        session, invitation, CodePurpose.PASSWORD_RESET, now or utcnow(), ip
    )
    return CodeHolder(
        user.id, user.email, user.display_name, CodePurpose.PASSWORD_RESET, invitation.expires_at
    )


def set_password_from_code(
    *,
    session: Session,
    password: str,
    token: str | None = None,
    email: str | None = None,
    short_code: str | None = None,
    ip: str = "",
    now: datetime | None = None,
) -> PasswordSet:
    """Activate the account with a chosen password, using the code up (slow: bcrypt; commits).
    Raises AccessCodeError or PasswordRejected."""
    now = now or utcnow()
    invitation = _locate_activation_code(session, token, email, short_code)
    invitation, user = _live_code(session, invitation, CodePurpose.ACTIVATION, now, ip)
    return _set_password(session, invitation, user, password, now, ip)


def reset_password(
    *, session: Session, token: str, password: str, ip: str = "", now: datetime | None = None
) -> PasswordSet:
    """Choose a new password from a reset link, using it up (slow: bcrypt; commits).
    Raises AccessCodeError or PasswordRejected."""
    now = now or utcnow()
    invitation = _find_by_token(session, token)
    invitation, user = _live_code(session, invitation, CodePurpose.PASSWORD_RESET, now, ip)
    return _set_password(session, invitation, user, password, now, ip)


def _set_password(
    session: Session, invitation: Invitation, user: User, password: str, now: datetime, ip: str
) -> PasswordSet:
    purpose = _purpose_of(invitation)
    check_password_policy(password, email=user.email)
    password_hash = hash_password(password)
    if not _use_up(session, invitation, now):
        raise _refuse(session, CodeProblem.USED, purpose, user_id=user.id, ip=ip)
    first_activation = purpose is CodePurpose.ACTIVATION and user.activated_at is None
    user.password_hash = password_hash
    user.activated_at = user.activated_at or now
    _revoke_open_codes(session=session, user_ids=[user.id], now=now)
    _queue_confirmation(session, user, first_activation)
    action = "account.activated" if first_activation else f"{purpose.value}.password_set"
    record_event(
        session=session,
        action=action,
        actor_user_id=user.id,
        target_type="user",
        target_id=user.id,
        ip=ip,
    )
    revoke_all_sessions(session=session, user_id=user.id)
    session.commit()
    return PasswordSet(user.id, user.email, first_activation)


def _use_up(session: Session, invitation: Invitation, now: datetime) -> bool:
    """Mark the code used in one conditional UPDATE: of two simultaneous submissions, one wins."""
    used = session.exec(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1


def queue_security_notice(*, session: Session, user: User, title: str, text: str) -> None:
    """Tell the person a change to their account's security happened (not committed), so that
    a change they did not make does not go unseen; sent without review, like the reset link."""
    agency = get_agency_identity(session=session)
    message = build_notification_email(
        agency=agency,
        to_name=user.display_name,
        title=title,
        text=text + "\n\nSi vous n'êtes pas à l'origine de ce changement, contactez votre "
        "agence sans attendre.",
        link_url=_page_url(LOGIN_PATH),
        link_label="Se connecter",
    )
    queue_email(
        session=session,
        kind=EmailKind.NOTIFICATION,
        to_address=user.email,
        to_name=user.display_name,
        message=message,
        user_id=user.id,
        send_without_review=True,
    )


def queue_password_confirmation(*, session: Session, user: User) -> None:
    """Tell the person their password changed (from their account page), not committed."""
    _queue_confirmation(session, user, first_activation=False)


def _queue_confirmation(session: Session, user: User, first_activation: bool) -> None:
    """Tell the person, so that an activation or change they did not make does not go unseen."""
    agency = get_agency_identity(session=session)
    if first_activation:
        kind = EmailKind.ACCOUNT_ACTIVATED
        message = build_account_activated_email(
            agency=agency,
            to_name=user.display_name,
            login_email=user.email,
            login_url=_page_url(LOGIN_PATH),
        )
    else:
        kind = EmailKind.PASSWORD_CHANGED
        message = build_notification_email(
            agency=agency,
            to_name=user.display_name,
            title="Votre mot de passe a été modifié",
            text="Le mot de passe de votre compte extranet vient d'être modifié.\n\n"
            "Si vous n'êtes pas à l'origine de ce changement, contactez votre agence "
            "sans attendre.",
            link_url=_page_url(LOGIN_PATH),
            link_label="Se connecter",
        )
    queue_email(
        session=session,
        kind=kind,
        to_address=user.email,
        to_name=user.display_name,
        message=message,
        user_id=user.id,
        send_without_review=True,
    )


# --- Forgotten password ------------------------------------------------------------------------


def request_password_reset(
    *, session: Session, email: str, ip: str = "", now: datetime | None = None
) -> None:
    """Queue a reset e-mail if `email` is an active, activated account; the caller answers the
    same either way, and so does the work done here (commits)."""
    now = now or utcnow()
    address = normalize_email(email)[:254]
    user = session.exec(select(User).where(User.email == address)).first()
    eligible = user is not None and user.is_active and user.password_hash is not None
    # Built in every case, so that an unknown address costs the same time as a known one.
    preview = _password_reset_preview(session, user)
    queued = eligible and not _reset_requests_exhausted(session, user.id, now)
    if queued:
        queue_email(
            session=session,
            kind=EmailKind.PASSWORD_RESET,
            to_address=user.email,
            to_name=user.display_name,
            message=preview,
            user_id=user.id,
            send_without_review=True,
        )
    record_event(
        session=session,
        action="password_reset.requested",
        target_type="user",
        target_id=user.id if user else None,
        ip=ip,
        detail={"email": address, "queued": queued},
    )
    session.commit()


def _password_reset_preview(session: Session, user: User | None) -> EmailContent:
    return build_password_reset_email(
        agency=get_agency_identity(session=session),
        to_name=user.display_name if user else "",
        reset_url=_page_url(PASSWORD_RESET_PATH, MASKED_TOKEN),
        valid_minutes=int(PASSWORD_RESET_VALIDITY.total_seconds() // 60),
    )


def _reset_requests_exhausted(session: Session, user_id: int, now: datetime) -> bool:
    recent = session.exec(
        select(func.count()).where(
            OutboxEmail.user_id == user_id,
            OutboxEmail.kind == EmailKind.PASSWORD_RESET,
            OutboxEmail.created_at > now - timedelta(hours=1),
        )
    ).one()
    return recent >= _MAX_RESET_REQUESTS_PER_HOUR
