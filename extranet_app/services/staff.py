"""Équipe: the agency's staff logins, managed by its administrators.

A colleague is invited like a tenant: a login without a password and an access code e-mail
through the centre d'envoi; they choose their password on the activation page. Deactivating a
login ends its sessions at once. At least one active administrator always remains: the rule is
checked with the administrators' rows locked, so two admins demoting each other at the same
moment cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from extranet_app.models import User
from extranet_app.services import account_security
from extranet_app.services.access_codes import queue_access_code_emails
from extranet_app.services.access_management import InvalidEmail, checked_email
from extranet_app.services.audit import record_event
from extranet_app.services.auth import (
    SessionUser,
    normalize_email,
    require_admin,
    revoke_all_sessions,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_datetime
from extranet_app.services.security import id_from_reference, opaque_reference

_REFERENCE_KIND = "staff"
MAX_NAME_LENGTH = 200


class StaffRejected(ValueError):
    """A change to the team that is refused; the message is French, for the administrator."""


class LastAdminError(StaffRejected):
    """The change would leave the agency without an active administrator."""

    def __init__(self) -> None:
        super().__init__(
            "Impossible : l'agence doit garder au moins un administrateur actif. Nommez d'abord "
            "un autre administrateur."
        )


@dataclass(frozen=True)
class StaffRow:
    """A member of the team as the Équipe page lists them (an opaque reference, no id)."""

    reference: str
    name: str
    email: str
    is_admin: bool
    role_label: str
    is_active: bool
    status_label: str
    last_login: str
    is_me: bool
    two_factor: bool  # uses two-factor authentication


def _status(user: User) -> str:
    if not user.is_active:
        return "Désactivé"
    if user.password_hash is None:
        return "Invitation envoyée"
    return "Actif"


def list_staff(*, session: Session, actor: SessionUser) -> list[StaffRow]:
    """Every staff login, active ones first, by name."""
    require_admin(actor, session=session)
    users = session.exec(select(User).where(col(User.is_agency).is_(True))).all()
    users = sorted(users, key=lambda u: (not u.is_active, (u.display_name or u.email).lower()))
    return [
        StaffRow(
            reference=opaque_reference(_REFERENCE_KIND, user.id),
            name=user.display_name or user.email,
            email=user.email,
            is_admin=user.is_admin,
            role_label="Administrateur" if user.is_admin else "Collaborateur",
            is_active=user.is_active,
            status_label=_status(user),
            last_login=format_datetime(user.last_login_at) if user.last_login_at else "Jamais",
            is_me=user.id == actor.user_id,
            two_factor=user.totp_enabled_at is not None,
        )
        for user in users
    ]


def staff_id(reference: Any) -> int | None:
    """The login behind a reference of the Équipe page (None if it is not one)."""
    return id_from_reference(_REFERENCE_KIND, reference)


def _staff_member(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, populate_existing=True)
    if user is None or not user.is_agency:
        raise AccessDenied("Membre de l'équipe introuvable.")
    return user


def _ensure_another_admin(session: Session, user_id: int) -> None:
    """Refuse when `user_id` is the only active administrator. Locks every active admin row
    (PostgreSQL; SQLite has one writer at a time) before counting."""
    admins = session.exec(
        select(User.id)
        .where(col(User.is_agency).is_(True), col(User.is_admin).is_(True))
        .where(col(User.is_active).is_(True))
        .with_for_update()
    ).all()
    if not any(admin_id != user_id for admin_id in admins):
        raise LastAdminError


def invite_staff(
    *,
    session: Session,
    actor: SessionUser,
    email: Any,
    display_name: Any,
    admin: Any,
    ip: str = "",
) -> str:
    """Create a colleague's login and queue their access code e-mail in the centre d'envoi
    (activation as for tenants); commits. Returns the address invited."""
    require_admin(actor, session=session)
    try:
        address = normalize_email(checked_email(email))
    except InvalidEmail as error:
        raise StaffRejected(str(error)) from error
    if not isinstance(display_name, str) or not display_name.strip():
        raise StaffRejected("Saisissez le nom de la personne.")
    if type(admin) is not bool:
        raise StaffRejected("Rôle invalide.")
    if session.exec(select(User.id).where(User.email == address)).first() is not None:
        raise StaffRejected("Cette adresse est déjà celle d'un compte de l'extranet.")
    user = User(
        email=address,
        display_name=" ".join(display_name.split())[:MAX_NAME_LENGTH],
        is_agency=True,
        is_admin=admin,
    )
    session.add(user)
    session.flush()
    _record(session, actor, "staff.invited", user, ip, {"role": _role(admin)})
    queue_access_code_emails(session=session, actor=actor, user_ids=[user.id])
    session.commit()
    return address


def resend_invitation(*, session: Session, actor: SessionUser, user_id: int, ip: str = "") -> int:
    """Queue a new access code for a colleague who has not activated their login; commits.
    Returns how many e-mails were queued (0 when one already waits)."""
    require_admin(actor, session=session)
    user = _staff_member(session, user_id)
    if user.password_hash is not None or not user.is_active:
        raise StaffRejected("Ce compte n'attend pas d'activation.")
    queued = queue_access_code_emails(session=session, actor=actor, user_ids=[user.id])
    session.commit()
    return queued.queued


def set_staff_active(
    *, session: Session, actor: SessionUser, user_id: int, active: Any, ip: str = ""
) -> int:
    """Deactivate a colleague (every login session ends at once) or reactivate them; commits.
    Returns how many sessions were ended."""
    require_admin(actor, session=session)
    if type(active) is not bool:
        raise StaffRejected("Réglage invalide.")
    user = _staff_member(session, user_id)
    if user.is_active == active:
        return 0
    if not active and user.is_admin:
        _ensure_another_admin(session, user.id)
    user.is_active = active
    ended = 0 if active else revoke_all_sessions(session=session, user_id=user.id)
    action = "staff.reactivated" if active else "staff.deactivated"
    detail = {"before": _activity(not active), "after": _activity(active)}
    _record(session, actor, action, user, ip, detail | {"sessions_ended": ended})
    session.commit()
    return ended


def set_staff_role(
    *, session: Session, actor: SessionUser, user_id: int, admin: Any, ip: str = ""
) -> bool:
    """Make a colleague an administrator or a collaborator; commits. Returns whether it
    changed."""
    require_admin(actor, session=session)
    if type(admin) is not bool:
        raise StaffRejected("Rôle invalide.")
    user = _staff_member(session, user_id)
    if user.is_admin == admin:
        return False
    if not admin and user.is_active:
        _ensure_another_admin(session, user.id)
    user.is_admin = admin
    detail = {"before": _role(not admin), "after": _role(admin)}
    _record(session, actor, "staff.role_changed", user, ip, detail)
    session.commit()
    return True


def _role(admin: bool) -> str:
    return "Administrateur" if admin else "Collaborateur"


def _activity(active: bool) -> str:
    return "Actif" if active else "Désactivé"


def _record(
    session: Session, actor: SessionUser, action: str, user: User, ip: str, detail: dict
) -> None:
    record_event(
        session=session,
        action=action,
        actor_user_id=actor.user_id,
        target_type="user",
        target_id=user.id,
        ip=ip,
        detail=detail,
    )


def reset_staff_two_factor(
    *, session: Session, actor: SessionUser, user_id: int, ip: str = ""
) -> None:
    """A colleague lost their phone: switch off their second factor and end their sessions;
    they set it up again at their next login (administrators only, audited)."""
    require_admin(actor, session=session)
    _staff_member(session, user_id)
    account_security.reset_two_factor(session=session, actor=actor, user_id=user_id)
