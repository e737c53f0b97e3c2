"""Journal: the audit events, read by agency admins, with filters and keyset pagination."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlmodel import Session, col, select

from extranet_app.models import AuditEvent, Owner, Tenant, User
from extranet_app.services.auth import SessionUser, require_admin
from extranet_app.services.formatting import format_datetime
from extranet_app.services.timekeeping import AGENCY_TIMEZONE

# The action codes written by the services, in the words the agency uses.
ACTION_LABELS: dict[str, str] = {
    "login.success": "Connexion",
    "login.failure": "Connexion refusée",
    "logout": "Déconnexion",
    "preview.start": "Aperçu d'un espace",
    "preview.denied": "Aperçu refusé",
    "preview.change_refused": "Modification refusée pendant un aperçu",
    "access.staff_only": "Accès refusé (réservé à l'agence)",
    "access.admin_only": "Accès refusé (réservé aux administrateurs)",
    "access.enrolled": "Inscription à l'extranet",
    "access.email_added": "Adresse e-mail ajoutée",
    "access.deactivated": "Accès désactivé",
    "access.reactivated": "Accès réactivé",
    "access_code.queued": "Code d'accès transféré au centre d'envoi",
    "access_code.sent": "Code d'accès envoyé",
    "access_code.failed": "Échec d'envoi du code d'accès",
    "activation.refused": "Code d'accès refusé",
    "account.activated": "Compte activé",
    "activation.password_set": "Mot de passe choisi avec un code d'accès",
    "password_reset.requested": "Mot de passe oublié : demande",
    "password_reset.refused": "Lien de réinitialisation refusé",
    "password_reset.password_set": "Mot de passe réinitialisé",
    "outbox.send": "Envoi depuis le centre d'envoi",
    "outbox.retry": "E-mails remis à envoyer",
    "outbox.cancel": "E-mails annulés",
    "outbox.auto_send": "Mode d'envoi changé",
    "agency_settings.changed": "Paramètres de l'agence modifiés",
    "section.changed": "Rubrique activée ou désactivée",
    "section.refused": "Rubrique désactivée : accès refusé",
    "staff.invited": "Collaborateur invité",
    "staff.deactivated": "Collaborateur désactivé",
    "staff.reactivated": "Collaborateur réactivé",
    "staff.role_changed": "Rôle d'un collaborateur changé",
    "data.imported": "Import de données",
    "data.created": "Fiche créée (Données)",
    "data.updated": "Fiche modifiée (Données)",
    "data.exported": "Export CSV (Données)",
    "data.export_denied": "Export CSV refusé",
    "space.refused": "Espace refusé (appel forgé ou adresse tapée)",
    "login.throttled": "Connexion bloquée (trop de tentatives)",
    "access_log.retention_purge": "Journaux d'accès anciens supprimés (durée de conservation)",
    "document.retention_purge": "Pièces d'identité supprimées (durée de conservation)",
    "personal_data.export": "Export des données personnelles (RGPD)",
    "personal_data.export.denied": "Export des données personnelles refusé",
    "personal_data.anonymise": "Personne anonymisée (RGPD)",
    "personal_data.anonymise.denied": "Anonymisation refusée",
    "login.password_ok": "Mot de passe correct, code de vérification attendu",
    "login.second_factor_failure": "Code de vérification refusé",
    "two_factor.enabled": "Double authentification activée",
    "two_factor.disabled": "Double authentification désactivée",
    "two_factor.recovery_codes": "Codes de secours renouvelés",
    "two_factor.recovery_code_used": "Code de secours utilisé",
    "two_factor.code_refused": "Code refusé (changement de double authentification)",
    "two_factor.reset": "Double authentification réinitialisée par l'agence",
    "two_factor.reset_denied": "Réinitialisation de double authentification refusée",
    "preview.account_refused": "Mon compte refusé pendant un aperçu",
    "session.ended": "Session fermée depuis Mon compte",
    "session.others_ended": "Autres sessions fermées depuis Mon compte",
    "password.changed": "Mot de passe modifié (Mon compte)",
    "password.check_refused": "Mot de passe actuel faux (Mon compte)",
    "payment.recorded": "Paiement enregistré",
    "document.download": "Téléchargement de document",
    "document.generated": "Document émis (quittance, avis, rapport)",
    "document.upload": "Documents déposés",
    "document.delete": "Suppression de document",
    "document.filed": "Document reçu classé",
    "document_request.created": "Document demandé",
    "document_request.submit": "Envoi de document (demande)",
    "document_request.submitted": "Document fourni",
    "document_request.accepted": "Document accepté",
    "document_request.refused": "Document refusé",
    "document_request.renewed": "Demande renouvelée",
    "owner_submission.sent": "Documents envoyés par un propriétaire",
    "owner_submission.refused": "Envoi refusé (lot d'un autre propriétaire)",
    "receipt.refused": "Quittance refusée",
    "receipt.summary_refused": "Récapitulatif annuel refusé",
    "receipts.consent_given": "Accord pour les quittances par voie électronique",
    "receipts.consent_withdrawn": "Retrait de l'accord (quittances électroniques)",
    "invoice.refused": "Facture refusée",
    "management_report.view": "Rapport de gestion consulté",
    "management_reports.published": "Rapports de gestion publiés",
    "owner_expense.recorded": "Dépense propriétaire enregistrée",
    "owner_expense.deleted": "Dépense propriétaire supprimée",
    "news.create": "Actualité créée",
    "news.update": "Actualité modifiée",
    "news.unpublish": "Actualité dépubliée",
    "news.republish": "Actualité republiée",
    "news.email_queued": "Actualité envoyée par e-mail",
    "news.open": "Actualité ouverte",
    "news.image": "Image d'actualité",
}
# Events written before anyone is logged in: their actor is a visitor, not the system.
_VISITOR_ACTIONS = frozenset(
    {"login.failure", "activation.refused", "password_reset.requested", "password_reset.refused"}
)
_PROBLEM_LABELS = {
    "unknown": "code inconnu",
    "expired": "code expiré",
    "used": "code déjà utilisé",
    "replaced": "code remplacé par un plus récent",
    "account_disabled": "compte désactivé",
}
_VIA_LABELS = {
    "activation": "après activation",
    "access_code": "après activation",
    "password_reset": "après réinitialisation",
    "password_change": "après changement de mot de passe",
}
_PEOPLE = {"tenant": (Tenant, "Locataire"), "owner": (Owner, "Propriétaire")}
MAX_PAGE_SIZE = 200
# Counting every matching row of a million is slow; beyond this the screen says "plus de".
COUNT_CAP = 10_000


def paris_day_start(day: date) -> datetime:
    """Midnight of a Paris calendar day, in UTC (what the stored timestamps are compared with)."""
    return datetime.combine(day, time(0), tzinfo=AGENCY_TIMEZONE).astimezone(UTC)


def action_label(action: str) -> str:
    """The French words for an action code (the code itself when it is not known yet)."""
    return ACTION_LABELS.get(action, action)


@dataclass(frozen=True)
class JournalFilter:
    """What the admin asked to see; every part is optional."""

    action: str = ""
    actor_search: str = ""
    date_from: date | None = None  # Paris calendar days, both included
    date_to: date | None = None
    denied_only: bool = False


@dataclass(frozen=True)
class JournalCursor:
    """Where a page starts: just older than one event, or just newer than another."""

    older_than: int | None = None
    newer_than: int | None = None


@dataclass(frozen=True)
class JournalRow:
    """One line of the journal, as displayed (no database id)."""

    when: str
    actor_name: str
    actor_email: str
    action: str
    action_label: str
    target: str
    detail: str
    ip: str
    allowed: bool


@dataclass(frozen=True)
class JournalPage:
    """A page of events, newest first, with the ids bounding it (kept on the server)."""

    rows: list[JournalRow]
    newest_id: int | None
    oldest_id: int | None
    has_newer: bool
    has_older: bool


def _conditions(filters: JournalFilter) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if filters.action:
        conditions.append(col(AuditEvent.action) == filters.action)
    if term := filters.actor_search.strip().lower()[:200]:
        matching = select(User.id).where(
            or_(
                func.lower(User.email).contains(term, autoescape=True),
                func.lower(User.display_name).contains(term, autoescape=True),
            )
        )
        conditions.append(col(AuditEvent.actor_user_id).in_(matching))
    if filters.date_from:
        conditions.append(col(AuditEvent.created_at) >= paris_day_start(filters.date_from))
    if filters.date_to:
        end = paris_day_start(filters.date_to + timedelta(days=1))
        conditions.append(col(AuditEvent.created_at) < end)
    if filters.denied_only:
        conditions.append(col(AuditEvent.allowed).is_(False))
    return and_(*conditions)


def count_events(
    *, session: Session, actor: SessionUser, filters: JournalFilter, cap: int = COUNT_CAP
) -> tuple[int, bool]:
    """How many events match, counted up to `cap`; the flag says the real number is larger."""
    require_admin(actor, session=session)
    capped = select(AuditEvent.id).where(_conditions(filters)).limit(cap + 1).subquery()
    count = session.exec(select(func.count()).select_from(capped)).one()
    return min(count, cap), count > cap


def list_events(
    *,
    session: Session,
    actor: SessionUser,
    filters: JournalFilter,
    cursor: JournalCursor | None = None,
    page_size: int = 50,
) -> JournalPage:
    """A page of events, newest first; keyset on the id, so page 20 000 costs what page 1 does."""
    require_admin(actor, session=session)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    cursor = cursor or JournalCursor()
    query = _page_query(filters, cursor).limit(page_size + 1)
    events = list(session.exec(query).all())
    more = len(events) > page_size
    events = events[:page_size]
    if cursor.newer_than is not None:
        events.reverse()  # fetched oldest first, shown newest first
        has_newer, has_older = more, True
    else:
        has_newer, has_older = cursor.older_than is not None, more
    ids = [event.id for event in events]
    newest, oldest = (ids[0], ids[-1]) if ids else (None, None)
    return JournalPage(_rows(session, events), newest, oldest, has_newer, has_older)


def _page_query(filters: JournalFilter, cursor: JournalCursor) -> Any:
    # Ids grow with time, and the primary key keeps every page an index range scan.
    query = select(AuditEvent).where(_conditions(filters))
    if cursor.newer_than is not None:
        return query.where(col(AuditEvent.id) > cursor.newer_than).order_by(col(AuditEvent.id))
    if cursor.older_than is not None:
        query = query.where(col(AuditEvent.id) < cursor.older_than)
    return query.order_by(col(AuditEvent.id).desc())


def _rows(session: Session, events: Sequence[AuditEvent]) -> list[JournalRow]:
    names = _Names(
        users=_load(session, User, _ids(events, "user") | _actor_ids(events)),
        people={
            target_type: _load(session, model, _ids(events, target_type))
            for target_type, (model, _) in _PEOPLE.items()
        },
    )
    return [_row(event, names) for event in events]


@dataclass(frozen=True)
class _Names:
    """The accounts and people a page of events mentions, loaded once per page."""

    users: dict[int, Any]
    people: dict[str, dict[int, Any]]


def _actor_ids(events: Sequence[AuditEvent]) -> set[int]:
    return {event.actor_user_id for event in events if event.actor_user_id is not None}


def _ids(events: Sequence[AuditEvent], target_type: str) -> set[int]:
    return {
        int(e.target_id) for e in events if e.target_type == target_type and _is_id(e.target_id)
    }


def _load(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(ids)))}


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 19


def _row(event: AuditEvent, names: _Names) -> JournalRow:
    actor = names.users.get(event.actor_user_id) if event.actor_user_id else None
    detail = _detail(event.detail)
    return JournalRow(
        when=format_datetime(event.created_at),
        actor_name=_actor_name(event, actor),
        actor_email=actor.email if actor else "",
        action=event.action,
        action_label=action_label(event.action),
        target=_target(event, detail, names),
        detail=_detail_summary(detail),
        ip=event.ip,
        allowed=event.allowed,
    )


def _actor_name(event: AuditEvent, actor: User | None) -> str:
    if actor is not None:
        return actor.display_name or actor.email
    if event.actor_user_id is not None:
        return "Compte supprimé"
    return "Visiteur" if event.action in _VISITOR_ACTIONS else "Système"


def _detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _target(event: AuditEvent, detail: dict[str, Any], names: _Names) -> str:
    known = _is_id(event.target_id)
    if event.target_type == "user" and known:
        user = names.users.get(int(event.target_id))
        return user.email if user else "Compte supprimé"
    if event.target_type in _PEOPLE and known:
        person = names.people[event.target_type].get(int(event.target_id))
        label = _PEOPLE[event.target_type][1]
        return f"{label} : {person.full_name}" if person else f"{label} supprimé"
    if event.target_type == "outbox_email":
        count = detail.get("count")
        return f"{count} e-mail(s)" if isinstance(count, int) else "Centre d'envoi"
    if event.target_type == "agency_settings":
        return "Réglages de l'agence"
    email = detail.get("email")
    return f"Adresse saisie : {email}" if isinstance(email, str) and email else ""


def _detail_summary(detail: dict[str, Any]) -> str:
    parts: list[str] = []
    if isinstance(problem := detail.get("problem"), str):
        parts.append(_PROBLEM_LABELS.get(problem, problem))
    if isinstance(error := detail.get("error"), str):
        parts.append(error[:300])
    if isinstance(via := detail.get("via"), str):
        parts.append(_VIA_LABELS.get(via, via))
    if isinstance(ended := detail.get("sessions_ended"), int) and ended:
        parts.append(f"{ended} session(s) fermée(s)")
    if "before" in detail and "after" in detail:
        parts.append(_before_after(detail))
    if isinstance(enabled := detail.get("auto_send"), bool):
        parts.append("envoi automatique" if enabled else "relecture manuelle")
    counts = [(key, detail.get(key)) for key in ("sent", "retry_scheduled", "failed")]
    if all(isinstance(value, int) for _, value in counts):
        sent, postponed, failed = (value for _, value in counts)
        parts.append(f"{sent} envoyé(s), {postponed} reporté(s), {failed} en échec")
    return " · ".join(parts)


def _before_after(detail: dict[str, Any]) -> str:
    """A settings change as "Raison sociale (Immeuble) : « avant » → « après »"."""

    def shown(value: Any) -> str:
        text = "oui" if value is True else "non" if value is False else str(value)
        return f"« {text[:120]}{'…' if len(text) > 120 else ''} »"

    label = str(detail.get("field_label") or detail.get("field") or "")
    building = detail.get("building")
    where = f" ({building})" if isinstance(building, str) and building else ""
    prefix = f"{label}{where} : " if label or where else ""
    return f"{prefix}{shown(detail['before'])} → {shown(detail['after'])}"
