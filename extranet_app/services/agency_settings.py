"""Paramètres de l'agence: identity, branding, e-mail introductions and sending, for admins.

Every change is journaled field by field with its value before and after. A change applies to
what is issued afterwards: PDFs are rendered once and stored (services/storage), e-mails are
built when queued (access codes and reset links when sent), and nothing renders them again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from extranet_app.email.intros import (
    DEFAULT_INTROS,
    MAX_INTRO_LENGTH,
    IntroKind,
)
from extranet_app.email.messages import (
    EmailContent,
    build_invitation_email,
    build_notification_email,
    build_password_reset_email,
)
from extranet_app.models import AgencySettings, User
from extranet_app.models.base import utcnow
from extranet_app.services import agency_checks as checks
from extranet_app.services.access_codes import (
    ACTIVATION_PATH,
    MASKED_SHORT_CODE,
    MASKED_TOKEN,
    PASSWORD_RESET_PATH,
    PASSWORD_RESET_VALIDITY,
    TOKEN_PARAMETER,
)
from extranet_app.services.agency import (
    AGENCY_SETTINGS_ID,
    AgencyIdentity,
    environment_settings,
    get_agency_identity,
    logo_version,
    safe_color,
    settings_row,
)
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_admin
from extranet_app.settings import get_settings

MAX_WELCOME_LENGTH = 500
MAX_ATTEMPTS_RANGE = (1, 20)
RETRY_DELAY_RANGE = (1, 240)  # minutes before the second attempt (then doubled each time)
# Values longer than this are cut in the journal (an audit detail holds 4 000 characters).
_AUDIT_VALUE_LENGTH = 1500


class SettingsRejected(ValueError):
    """Values that cannot be saved; `errors` maps each field to its French message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass(frozen=True)
class IdentityField:
    """One identity field of the form: its column, label, and how its value is checked."""

    name: str
    label: str
    check: Callable[[str], str]
    required: bool = False


def _text(max_length: int) -> Callable[[str], str]:
    return lambda value: checks.plain_text(value, max_length=max_length)


IDENTITY_FIELDS = (
    IdentityField("name", "Raison sociale", _text(200), required=True),
    IdentityField("legal_form", "Forme juridique", _text(100)),
    IdentityField("address_line1", "Adresse", _text(200)),
    IdentityField("address_line2", "Complément d'adresse", _text(200)),
    IdentityField("postal_code", "Code postal", checks.checked_postal_code),
    IdentityField("city", "Ville", _text(100)),
    IdentityField("siret", "SIRET", checks.checked_siret),
    IdentityField("professional_card", "Carte professionnelle n°", _text(100)),
    IdentityField("professional_card_issuer", "Délivrée par (CCI)", _text(100)),
    IdentityField("financial_guarantee", "Garantie financière", _text(300)),
    IdentityField("phone", "Téléphone", checks.checked_phone),
    IdentityField("email", "E-mail", checks.checked_email),
    IdentityField("opening_hours", "Horaires d'ouverture", _text(300)),
    IdentityField("iban", "IBAN", checks.checked_iban),
    IdentityField("bic", "BIC", checks.checked_bic),
    IdentityField(
        "payment_reference_pattern", "Référence de paiement", checks.checked_payment_pattern
    ),
)
_INTRO_COLUMNS = {
    IntroKind.INVITATION: "email_intro_invitation",
    IntroKind.NOTIFICATION: "email_intro_notification",
    IntroKind.PASSWORD_RESET: "email_intro_password_reset",
}
FIELD_LABELS = {field.name: field.label for field in IDENTITY_FIELDS} | {
    "primary_color": "Couleur principale",
    "login_welcome_text": "Texte d'accueil de la page de connexion",
    "logo": "Logo",
    "outbox_auto_send": "Envoi automatique",
    "outbox_max_attempts": "Nombre maximal de tentatives",
    "outbox_retry_delay_minutes": "Délai avant nouvel essai (minutes)",
    "staff_two_factor_required": "Double authentification obligatoire pour l'équipe",
    "email_intro_invitation": "Introduction de l'e-mail d'invitation",
    "email_intro_notification": "Introduction des notifications",
    "email_intro_password_reset": "Introduction de l'e-mail « mot de passe oublié »",
}


@dataclass(frozen=True)
class AgencySettingsView:
    """Everything the settings page shows (no storage key, no id)."""

    identity: dict[str, str]
    primary_color: str
    login_welcome_text: str
    logo_version: str
    intros: dict[str, str]  # kind -> the agency's text, or the built-in one
    outbox_auto_send: bool
    outbox_max_attempts: int
    outbox_retry_delay_minutes: int
    staff_two_factor_required: bool


def load_settings(*, session: Session, actor: SessionUser) -> AgencySettingsView:
    """The current settings (agency administrators only)."""
    require_admin(actor, session=session)
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID) or environment_settings()
    return AgencySettingsView(
        identity={field.name: getattr(row, field.name) for field in IDENTITY_FIELDS},
        primary_color=safe_color(row.primary_color),
        login_welcome_text=row.login_welcome_text,
        logo_version=logo_version(row.logo_key),
        intros={
            kind.value: getattr(row, column) or DEFAULT_INTROS[kind]
            for kind, column in _INTRO_COLUMNS.items()
        },
        outbox_auto_send=row.outbox_auto_send,
        outbox_max_attempts=row.outbox_max_attempts,
        outbox_retry_delay_minutes=row.outbox_retry_delay_minutes,
        staff_two_factor_required=row.staff_two_factor_required,
    )


# --- Saving ------------------------------------------------------------------------------------


def _save_changes(
    session: Session, actor: SessionUser, changes: Mapping[str, Any], *, ip: str = ""
) -> list[str]:
    """Write the values that differ, each journaled with before and after; commits. Returns
    the labels of the fields changed."""
    row = settings_row(session=session)
    changed: list[str] = []
    for name, value in changes.items():
        before = getattr(row, name)
        if before == value:
            continue
        setattr(row, name, value)
        changed.append(FIELD_LABELS[name])
        record_change(session, actor, name, before, value, ip=ip)
    if changed:
        row.updated_at = utcnow()
    session.commit()
    return changed


def record_change(
    session: Session, actor: SessionUser, name: str, before: Any, after: Any, *, ip: str = ""
) -> None:
    """Journal one settings field changing from `before` to `after`."""

    def shown(value: Any) -> Any:
        return value[:_AUDIT_VALUE_LENGTH] if isinstance(value, str) else value

    record_event(
        session=session,
        action="agency_settings.changed",
        actor_user_id=actor.user_id,
        target_type="agency_settings",
        target_id=AGENCY_SETTINGS_ID,
        ip=ip,
        detail={
            "field": name,
            "field_label": FIELD_LABELS.get(name, name),
            "before": shown(before),
            "after": shown(after),
        },
    )


def _checked_identity(values: Mapping[str, Any]) -> dict[str, str]:
    """The identity fields of a submitted form, checked; SettingsRejected lists every error."""
    checked: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in IDENTITY_FIELDS:
        raw = values.get(field.name, "")
        if not isinstance(raw, str):
            errors[field.name] = "Valeur invalide."
            continue
        try:
            checked[field.name] = field.check(raw)
        except ValueError as error:
            errors[field.name] = str(error)
            continue
        if field.required and not checked[field.name]:
            errors[field.name] = "Ce champ est obligatoire."
    if errors:
        raise SettingsRejected(errors)
    return checked


def update_identity(
    *, session: Session, actor: SessionUser, values: Mapping[str, Any], ip: str = ""
) -> list[str]:
    """Save the agency's identity (every field of the form); applies to documents and e-mails
    issued from now on. Returns the labels of the fields changed."""
    require_admin(actor, session=session)
    if not isinstance(values, Mapping):
        raise SettingsRejected({"form": "Formulaire invalide."})
    return _save_changes(session, actor, _checked_identity(values), ip=ip)


def update_branding(
    *,
    session: Session,
    actor: SessionUser,
    primary_color: Any,
    login_welcome_text: Any,
    ip: str = "",
) -> list[str]:
    """Save the main colour and the login page's welcome text."""
    require_admin(actor, session=session)
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value, check in (
        ("primary_color", primary_color, checks.checked_color),
        (
            "login_welcome_text",
            login_welcome_text,
            lambda text: checks.plain_text(text, max_length=MAX_WELCOME_LENGTH, multiline=True),
        ),
    ):
        try:
            if not isinstance(value, str):
                raise ValueError("Valeur invalide.")
            changes[name] = check(value)
        except ValueError as error:
            errors[name] = str(error)
    if errors:
        raise SettingsRejected(errors)
    return _save_changes(session, actor, changes, ip=ip)


def checked_intro(kind: Any, text: Any) -> tuple[IntroKind, str]:
    """The e-mail kind and its introduction as stored ("" when it is the built-in text)."""
    if not isinstance(kind, str) or kind not in {member.value for member in IntroKind}:
        raise SettingsRejected({"intro": "Type d'e-mail inconnu."})
    if not isinstance(text, str):
        raise SettingsRejected({"intro": "Texte invalide."})
    try:
        cleaned = checks.plain_text(text, max_length=MAX_INTRO_LENGTH, multiline=True)
    except ValueError as error:
        raise SettingsRejected({"intro": str(error)}) from error
    intro_kind = IntroKind(kind)
    return intro_kind, "" if cleaned == DEFAULT_INTROS[intro_kind] else cleaned


def update_email_intro(
    *, session: Session, actor: SessionUser, kind: Any, text: Any, ip: str = ""
) -> list[str]:
    """Save the introduction of one e-mail kind (empty: back to the built-in text)."""
    require_admin(actor, session=session)
    intro_kind, stored = checked_intro(kind, text)
    return _save_changes(session, actor, {_INTRO_COLUMNS[intro_kind]: stored}, ip=ip)


def preview_email(*, session: Session, actor: SessionUser, kind: Any, text: Any) -> EmailContent:
    """An example of the e-mail of `kind` with the introduction `text`, as a person would get
    it (example link, code and date; nothing is saved)."""
    require_admin(actor, session=session)
    intro_kind, stored = checked_intro(kind, text)
    agency = get_agency_identity(session=session)
    column_to_field = {
        IntroKind.INVITATION: "invitation_intro",
        IntroKind.NOTIFICATION: "notification_intro",
        IntroKind.PASSWORD_RESET: "password_reset_intro",
    }
    agency = replace(agency, **{column_to_field[intro_kind]: stored})
    return _example_email(intro_kind, agency)


def _example_url(path: str, token: str | None = None) -> str:
    base = get_settings().public_url.rstrip("/") + path
    return f"{base}?{TOKEN_PARAMETER}={token}" if token else base


def _example_email(kind: IntroKind, agency: AgencyIdentity) -> EmailContent:
    if kind is IntroKind.INVITATION:
        return build_invitation_email(
            agency=agency,
            to_name="Mme Camille Exemple",
            login_email="camille.exemple@example.fr",
            activation_url=_example_url(ACTIVATION_PATH, MASKED_TOKEN),
            short_code=MASKED_SHORT_CODE,
            expires_at=utcnow() + timedelta(days=14),
        )
    if kind is IntroKind.PASSWORD_RESET:
        return build_password_reset_email(
            agency=agency,
            to_name="Mme Camille Exemple",
            reset_url=_example_url(PASSWORD_RESET_PATH, MASKED_TOKEN),
            valid_minutes=int(PASSWORD_RESET_VALIDITY.total_seconds() // 60),
        )
    return build_notification_email(
        agency=agency,
        to_name="Mme Camille Exemple",
        title="Nouveau document disponible",
        text="Votre quittance de loyer de mars est disponible dans votre Porte-documents.",
        link_url=_example_url("/locataire/documents"),
        link_label="Voir le document",
    )


def update_sending(
    *,
    session: Session,
    actor: SessionUser,
    auto_send: Any,
    max_attempts: Any,
    retry_delay_minutes: Any,
    ip: str = "",
) -> list[str]:
    """Save the sending mode of the centre d'envoi and its retry policy."""
    require_admin(actor, session=session)
    errors: dict[str, str] = {}
    if type(auto_send) is not bool:
        errors["outbox_auto_send"] = "Réglage invalide."
    for name, value, (low, high) in (
        ("outbox_max_attempts", max_attempts, MAX_ATTEMPTS_RANGE),
        ("outbox_retry_delay_minutes", retry_delay_minutes, RETRY_DELAY_RANGE),
    ):
        if type(value) is not int or not low <= value <= high:
            errors[name] = f"Saisissez un nombre entier de {low} à {high}."
    if errors:
        raise SettingsRejected(errors)
    return _save_changes(
        session,
        actor,
        {
            "outbox_auto_send": auto_send,
            "outbox_max_attempts": max_attempts,
            "outbox_retry_delay_minutes": retry_delay_minutes,
        },
        ip=ip,
    )


def update_staff_two_factor(
    *, session: Session, actor: SessionUser, required: Any, ip: str = ""
) -> list[str]:
    """Require (or not) two-factor authentication of every staff member. The admin turning it
    on must use it already: otherwise their own next event would lose the agency space."""
    require_admin(actor, session=session)
    if type(required) is not bool:
        raise SettingsRejected({"staff_two_factor_required": "Réglage invalide."})
    admin = session.get(User, actor.user_id)
    if required and (admin is None or admin.totp_enabled_at is None):
        raise SettingsRejected(
            {
                "staff_two_factor_required": "Activez d'abord la double authentification sur "
                "votre propre compte (Mon compte), puis exigez-la pour l'équipe."
            }
        )
    return _save_changes(session, actor, {"staff_two_factor_required": required}, ip=ip)
