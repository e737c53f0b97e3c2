"""GDPR: export of one person's data, anonymisation of a person, retention of identity documents.

A person is a login (User) with its tenant and owner profiles, or a profile without a login.
The export (a zip: donnees.json + the person's files) is the same from the agency side and from
the person's own space. Anonymisation keeps what the law obliges the agency to keep (the ledger,
quittances and reçus, 10 years for accounting: Code de commerce art. L123-22) and replaces who
the person is with a placeholder.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import false, or_
from sqlmodel import Session, SQLModel, col, select, update

from extranet_app.models import (
    AuditEvent,
    AuthSession,
    Document,
    DocumentRequest,
    Invitation,
    Lease,
    LeaseTenant,
    Lot,
    ManagementMandate,
    ManagementReport,
    Message,
    NewsItem,
    NewsRead,
    OutboxEmail,
    OutboxStatus,
    Owner,
    Ownership,
    Payment,
    PaymentAllocation,
    Property,
    RentCall,
    RentCallLine,
    Tenant,
    Thread,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.models.documents import DocumentCategory
from extranet_app.services import two_factor
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.storage import InvalidStorageKey, delete_stored, path_for
from extranet_app.settings import get_settings

PLACEHOLDER_NAME = "Personne anonymisée"
ANONYMOUS_DOMAIN = "anonymise.invalid"  # .invalid never resolves: nothing can be sent there
_LOGIN_ACTIONS = ("login.success", "logout")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def is_anonymised(person: Tenant | Owner) -> bool:
    """Whether this tenant or owner profile was anonymised: it must never be given to a new
    login (whoever logged in would see the former person's leases and payments)."""
    return person.last_name == PLACEHOLDER_NAME and not (person.first_name or person.company_name)


class StillUnderContract(Exception):
    """The person still has a current lease or mandate: their data is needed to run it."""


@dataclass(frozen=True)
class Subject:
    """Whose data: a login (or none) and the tenant and owner profiles that are theirs."""

    user_id: int | None
    tenant_ids: tuple[int, ...]
    owner_ids: tuple[int, ...]


@dataclass(frozen=True)
class PersonalExport:
    """The zip handed to the person (or to the agency answering their request)."""

    filename: str
    data: bytes
    file_count: int
    missing_files: int


@dataclass(frozen=True)
class AnonymisationResult:
    """What anonymisation changed and what it kept."""

    profiles: int
    identity_documents_deleted: int
    kept_documents: int
    sessions_revoked: int


# --- whose data ---------------------------------------------------------------------------


def own_subject(user: SessionUser) -> Subject:
    """The person behind a login session (ids re-read server-side at each event)."""
    return Subject(user_id=user.user_id, tenant_ids=user.tenant_ids, owner_ids=user.owner_ids)


def find_subject(
    *,
    session: Session,
    user_id: int | None = None,
    tenant_id: int | None = None,
    owner_id: int | None = None,
) -> Subject | None:
    """The person named by one of a login, a tenant or an owner id (None: no such person, or
    agency staff, whose data is not handled here)."""
    if user_id is None:
        profile = _profile(session, tenant_id=tenant_id, owner_id=owner_id)
        if profile is None:
            return None
        if profile.user_id is None:
            alone = (profile.id,)
            is_tenant = isinstance(profile, Tenant)
            return Subject(None, alone if is_tenant else (), () if is_tenant else alone)
        user_id = profile.user_id
    user = session.get(User, user_id)
    if user is None or user.is_agency:
        return None
    tenants = session.exec(select(Tenant.id).where(Tenant.user_id == user_id)).all()
    owners = session.exec(select(Owner.id).where(Owner.user_id == user_id)).all()
    return Subject(user_id, tuple(sorted(tenants)), tuple(sorted(owners)))


def _profile(
    session: Session, *, tenant_id: int | None, owner_id: int | None
) -> Tenant | Owner | None:
    if isinstance(tenant_id, int):
        return session.get(Tenant, tenant_id)
    if isinstance(owner_id, int):
        return session.get(Owner, owner_id)
    return None


def _staff_subject(
    session: Session,
    actor: SessionUser,
    action: str,
    targets: dict[str, int | None],
    *,
    admin: bool = False,
) -> Subject:
    """The subject named by staff, or AccessDenied (audited) for anyone else or no one."""
    allowed = actor.is_agency and not actor.read_only and (actor.is_admin or not admin)
    subject = find_subject(session=session, **targets) if allowed else None
    if subject is None:
        record_event(
            session=session,
            action=f"{action}.denied",
            actor_user_id=actor.user_id,
            target_type="person",
            allowed=False,
            detail={key: value for key, value in targets.items() if value is not None},
        )
        session.commit()
        raise AccessDenied
    return subject


# --- export -------------------------------------------------------------------------------


def export_own_data(*, session: Session, user: SessionUser) -> PersonalExport:
    """The person's own export, from their space (only their own data, by construction)."""
    actor = user.previewed_by_user_id or user.user_id
    export = _build_export(session, own_subject(user))
    _audit_export(session, actor=actor, subject=own_subject(user), export=export, via="espace")
    return export


def export_person_data(
    *,
    session: Session,
    actor: SessionUser,
    user_id: int | None = None,
    tenant_id: int | None = None,
    owner_id: int | None = None,
) -> PersonalExport:
    """Agency staff export one person's data (to answer a request); audited, refused otherwise."""
    targets = {"user_id": user_id, "tenant_id": tenant_id, "owner_id": owner_id}
    subject = _staff_subject(session, actor, "personal_data.export", targets)
    export = _build_export(session, subject)
    _audit_export(session, actor=actor.user_id, subject=subject, export=export, via="agence")
    return export


def _audit_export(
    session: Session, *, actor: int, subject: Subject, export: PersonalExport, via: str
) -> None:
    record_event(
        session=session,
        action="personal_data.export",
        actor_user_id=actor,
        target_type="user" if subject.user_id else "person",
        target_id=subject.user_id,
        detail={"via": via, "files": export.file_count, "tenants": list(subject.tenant_ids)},
    )
    session.commit()


def collect_personal_data(
    *, session: Session, subject: Subject, documents: list[Document]
) -> dict[str, Any]:
    """Everything the extranet holds about the person, as JSON-ready data (no secrets)."""
    lease_ids = _lease_ids(session, subject.tenant_ids)
    profile_exclude = {"user_id", "sort_name"}
    return {
        "export": {"cree_le": utcnow().isoformat(), "format": 1},
        "compte": _account(session, subject.user_id),
        "profils_locataire": _rows(
            session, select(Tenant).where(_in(Tenant.id, subject.tenant_ids)), profile_exclude
        ),
        "profils_proprietaire": _rows(
            session, select(Owner).where(_in(Owner.id, subject.owner_ids)), profile_exclude
        ),
        "baux": _leases(session, lease_ids),
        "lots_proprietaire": _owned_lots(session, subject.owner_ids),
        "mandats": _rows(
            session,
            select(ManagementMandate).where(_in(ManagementMandate.owner_id, subject.owner_ids)),
        ),
        "rapports_de_gestion": _rows(
            session,
            select(ManagementReport)
            .where(_in(ManagementReport.owner_id, subject.owner_ids))
            .order_by(ManagementReport.period_start),
            {"owner_id", "mandate_id", "replaces_id", "document_id", "published_by_id"},
        ),
        "echeances": _ledger_calls(session, lease_ids),
        "paiements": _ledger_payments(session, lease_ids),
        "documents": [_document_meta(document) for document in documents],
        "documents_a_fournir": _rows(
            session,
            select(DocumentRequest).where(_requests_of(subject)).order_by(DocumentRequest.id),
        ),
        "messagerie": _threads(session, subject.user_id),
        "actualites_lues": _news_reads(session, subject.user_id),
        "connexions": _logins(session, subject.user_id),
        "sessions": _rows(
            session,
            select(AuthSession).where(AuthSession.user_id == subject.user_id),
            exclude={"token_hash"},
        ),
    }


def _build_export(session: Session, subject: Subject) -> PersonalExport:
    documents = _documents(session, subject, _lease_ids(session, subject.tenant_ids))
    data = collect_personal_data(session=session, subject=subject, documents=documents)
    buffer = io.BytesIO()
    written = missing = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, document in enumerate(documents, start=1):
            content = _file_bytes(document.storage_key)
            entry = data["documents"][number - 1]
            if content is None:
                entry["fichier"] = None  # listed, but its file is gone
                missing += 1
                continue
            entry["fichier"] = f"fichiers/{number:04d}-{_safe_filename(document)}"
            archive.writestr(entry["fichier"], content)
            written += 1
        archive.writestr(
            "donnees.json", json.dumps(data, ensure_ascii=False, indent=2, default=_json_value)
        )
    stamp = utcnow().strftime("%Y%m%d")
    return PersonalExport(
        filename=f"mes-donnees-{stamp}.zip",
        data=buffer.getvalue(),
        file_count=written,
        missing_files=missing,
    )


def _file_bytes(storage_key: str) -> bytes | None:
    try:
        return path_for(storage_key).read_bytes()
    except (FileNotFoundError, InvalidStorageKey):
        return None


def _safe_filename(document: Document) -> str:
    return _UNSAFE_FILENAME.sub("_", document.original_filename).strip("._")[:120] or "fichier"


def _in(column: Any, values: Sequence[int]) -> Any:
    return col(column).in_(values)


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _row(obj: SQLModel, exclude: set[str] | None = None) -> dict[str, Any]:
    # Row ids are dropped: they mean nothing to the person and are never shown outside.
    return obj.model_dump(exclude={"id", *(exclude or set())})


def _rows(session: Session, query: Any, exclude: set[str] | None = None) -> list[dict[str, Any]]:
    return [_row(obj, exclude) for obj in session.exec(query)]


def _account(session: Session, user_id: int | None) -> dict[str, Any] | None:
    user = session.get(User, user_id) if user_id else None
    if user is None:
        return None
    # Never the password hash nor the TOTP secret: only whether they exist.
    account = _row(user, exclude={"password_hash", "totp_secret", "is_agency", "is_admin"})
    account["double_authentification"] = user.totp_secret is not None
    return account


def _lease_ids(session: Session, tenant_ids: Sequence[int]) -> list[int]:
    query = select(LeaseTenant.lease_id).where(_in(LeaseTenant.tenant_id, tenant_ids))
    return sorted(set(session.exec(query).all()))


def _place(lot: Lot, building: Property) -> dict[str, str]:
    address = f"{building.address_line1}, {building.postal_code} {building.city}"
    return {"immeuble": building.name, "adresse": address, "lot": lot.reference}


def _leases(session: Session, lease_ids: list[int]) -> list[dict[str, Any]]:
    query = (
        select(Lease, Lot, Property)
        .join(Lot, Lot.id == Lease.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(_in(Lease.id, lease_ids))
        .order_by(Lease.start_date)
    )
    return [{**_row(lease, {"lot_id"}), **_place(lot, b)} for lease, lot, b in session.exec(query)]


def _owned_lots(session: Session, owner_ids: Sequence[int]) -> list[dict[str, Any]]:
    query = (
        select(Ownership, Lot, Property)
        .join(Lot, Lot.id == Ownership.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(_in(Ownership.owner_id, owner_ids))
        .order_by(Lot.id)
    )
    return [
        {"quote_part_bp": share.share_bp, **_place(lot, building)}
        for share, lot, building in session.exec(query)
    ]


def _ledger_calls(session: Session, lease_ids: list[int]) -> list[dict[str, Any]]:
    calls = session.exec(
        select(RentCall).where(_in(RentCall.lease_id, lease_ids)).order_by(RentCall.due_date)
    ).all()
    lines = session.exec(
        select(RentCallLine).where(_in(RentCallLine.rent_call_id, [c.id for c in calls]))
    ).all()
    return [
        {
            **_row(call, {"lease_id"}),
            "lignes": [
                _row(line, {"rent_call_id"}) for line in lines if line.rent_call_id == call.id
            ],
        }
        for call in calls
    ]


def _ledger_payments(session: Session, lease_ids: list[int]) -> list[dict[str, Any]]:
    payments = session.exec(
        select(Payment).where(_in(Payment.lease_id, lease_ids)).order_by(Payment.paid_on)
    ).all()
    allocations = session.exec(
        select(PaymentAllocation, RentCall.period_start)
        .join(RentCall, RentCall.id == PaymentAllocation.rent_call_id)
        .where(_in(PaymentAllocation.payment_id, [p.id for p in payments]))
    ).all()
    return [
        {
            **_row(payment, {"lease_id", "recorded_by_id"}),
            "affectations": [
                {"periode": start, "montant_cents": part.amount_cents}
                for part, start in allocations
                if part.payment_id == payment.id
            ],
        }
        for payment in payments
    ]


def _documents(session: Session, subject: Subject, lease_ids: list[int]) -> list[Document]:
    """The person's documents: on their profiles or leases and shown to them, or sent by them."""
    mine = [
        _in(Document.tenant_id, subject.tenant_ids) & col(Document.visible_to_tenants),
        _in(Document.lease_id, lease_ids) & col(Document.visible_to_tenants),
        _in(Document.owner_id, subject.owner_ids) & col(Document.visible_to_owners),
    ]
    if subject.user_id is not None:
        mine.append(Document.uploaded_by_id == subject.user_id)
        attachments = (
            select(Message.id)
            .join(Thread, Thread.id == Message.thread_id)
            .where(Thread.person_user_id == subject.user_id, ~col(Message.is_internal_note))
        )
        mine.append(col(Document.message_id).in_(attachments))
    return list(session.exec(select(Document).where(or_(*mine)).order_by(Document.id)))


def _document_meta(document: Document) -> dict[str, Any]:
    return _row(
        document,
        exclude={"storage_key", "uploaded_by_id", "document_request_id", "message_id"}
        | {"tenant_id", "owner_id", "lease_id", "lot_id", "property_id", "rent_call_id"},
    )


def _requests_of(subject: Subject) -> Any:
    return or_(
        _in(DocumentRequest.tenant_id, subject.tenant_ids),
        _in(DocumentRequest.owner_id, subject.owner_ids),
    )


def _threads(session: Session, user_id: int | None) -> list[dict[str, Any]]:
    if user_id is None:
        return []
    threads = session.exec(
        select(Thread).where(Thread.person_user_id == user_id).order_by(Thread.id)
    ).all()
    messages = session.exec(
        select(Message)
        .where(_in(Message.thread_id, [t.id for t in threads]), ~col(Message.is_internal_note))
        .order_by(Message.id)
    ).all()
    return [
        {
            "sujet": thread.subject,
            "categorie": thread.category,
            "statut": thread.status,
            "cree_le": thread.created_at,
            "messages": [
                {
                    "auteur": "vous" if message.author_id == user_id else "agence",
                    "date": message.created_at,
                    "texte": message.body,
                }
                for message in messages
                if message.thread_id == thread.id
            ],
        }
        for thread in threads
    ]


def _news_reads(session: Session, user_id: int | None) -> list[dict[str, Any]]:
    query = (
        select(NewsItem.title, NewsRead.read_at)
        .join(NewsItem, NewsItem.id == NewsRead.news_id)
        .where(NewsRead.user_id == user_id)
        .order_by(NewsRead.read_at)
    )
    return [{"titre": title, "lu_le": read_at} for title, read_at in session.exec(query)]


def _logins(session: Session, user_id: int | None) -> list[dict[str, Any]]:
    user = session.get(User, user_id) if user_id else None
    if user is None:
        return []
    # Failed logins carry no user id, only the address typed (services/auth.login).
    typed = json.dumps({"email": user.email}, ensure_ascii=False)
    query = (
        select(AuditEvent)
        .where(
            or_(
                (AuditEvent.actor_user_id == user_id) & _in(AuditEvent.action, _LOGIN_ACTIONS),
                (AuditEvent.action == "login.failure") & (AuditEvent.detail == typed),
            )
        )
        .order_by(AuditEvent.created_at)
    )
    return [
        {"action": event.action, "date": event.created_at, "ip": event.ip}
        for event in session.exec(query)
    ]


# --- anonymisation ------------------------------------------------------------------------


def anonymise_person(
    *,
    session: Session,
    actor: SessionUser,
    user_id: int | None = None,
    tenant_id: int | None = None,
    owner_id: int | None = None,
    today: date,
) -> AnonymisationResult:
    """Replace who the person is by a placeholder and close their login (agency admin only).

    Kept, as the law requires: leases, rent calls, payments, quittances, reçus and the other
    documents (amounts untouched). Deleted: identity documents. Refused while a lease or
    mandate of theirs is current (StillUnderContract).
    """
    targets = {"user_id": user_id, "tenant_id": tenant_id, "owner_id": owner_id}
    subject = _staff_subject(session, actor, "personal_data.anonymise", targets, admin=True)
    if _has_current_contract(session, subject, today):
        raise StillUnderContract
    profiles = _anonymise_profiles(session, subject)
    deleted_keys = _delete_identity_documents(session, subject)
    revoked = _close_login(session, subject.user_id) if subject.user_id else 0
    kept = len(_documents(session, subject, _lease_ids(session, subject.tenant_ids)))
    record_event(
        session=session,
        action="personal_data.anonymise",
        actor_user_id=actor.user_id,
        target_type="user" if subject.user_id else "person",
        target_id=subject.user_id,
        detail={"profiles": profiles, "identity_documents_deleted": len(deleted_keys)},
    )
    session.commit()
    _delete_files(deleted_keys)  # after the commit: a rollback never leaves rows without files
    return AnonymisationResult(profiles, len(deleted_keys), kept, revoked)


def _has_current_contract(session: Session, subject: Subject, today: date) -> bool:
    current_lease = session.exec(
        select(Lease.id)
        .join(LeaseTenant, LeaseTenant.lease_id == Lease.id)
        .where(
            _in(LeaseTenant.tenant_id, subject.tenant_ids),
            or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= today),
        )
        .limit(1)
    ).first()
    current_mandate = session.exec(
        select(ManagementMandate.id)
        .where(
            _in(ManagementMandate.owner_id, subject.owner_ids),
            or_(
                col(ManagementMandate.end_date).is_(None), col(ManagementMandate.end_date) >= today
            ),
        )
        .limit(1)
    ).first()
    return current_lease is not None or current_mandate is not None


def _anonymise_profiles(session: Session, subject: Subject) -> int:
    cleared = {
        "civility": "",
        "first_name": "",
        "last_name": PLACEHOLDER_NAME,
        "company_name": "",
        "email": None,
        "phone": "",
        "address_line1": "",
        "address_line2": "",
        "postal_code": "",
        "city": "",
    }
    tenants = session.exec(update(Tenant).where(_in(Tenant.id, subject.tenant_ids)).values(cleared))
    owners = session.exec(update(Owner).where(_in(Owner.id, subject.owner_ids)).values(cleared))
    return tenants.rowcount + owners.rowcount


def _close_login(session: Session, user_id: int) -> int:
    user = session.get(User, user_id)
    placeholder = f"anonyme-{user_id}@{ANONYMOUS_DOMAIN}"
    # Refused logins keep only the address typed: it goes too.
    session.exec(
        update(AuditEvent)
        .where(AuditEvent.detail == json.dumps({"email": user.email}, ensure_ascii=False))
        .values(detail=json.dumps({"email": placeholder}))
    )
    user.email = placeholder
    user.display_name = PLACEHOLDER_NAME
    user.password_hash = None
    two_factor.switch_off(session=session, user=user)  # secret and recovery codes
    user.is_active = False
    user.email_notifications = False
    now = utcnow()
    session.exec(
        update(Invitation)
        .where(Invitation.user_id == user_id, col(Invitation.used_at).is_(None))
        .values(revoked_at=now)
    )
    _forget_emails(session, user_id, user.email)
    revoked = session.exec(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return revoked.rowcount


def _forget_emails(session: Session, user_id: int, placeholder: str) -> None:
    """E-mails to the person: the unsent ones are cancelled, none keeps their address or text."""
    unsent = (OutboxStatus.PENDING, OutboxStatus.FAILED)
    session.exec(
        update(OutboxEmail)
        .where(OutboxEmail.user_id == user_id, _in(OutboxEmail.status, unsent))
        .values(status=OutboxStatus.CANCELLED)
    )
    session.exec(
        update(OutboxEmail)
        .where(OutboxEmail.user_id == user_id)
        .values(to_address=placeholder, to_name="", body_text="", body_html="")
    )


def _delete_identity_documents(session: Session, subject: Subject) -> list[str]:
    query = select(Document).where(
        Document.category == DocumentCategory.IDENTITY,
        or_(
            _in(Document.tenant_id, subject.tenant_ids),
            _in(Document.owner_id, subject.owner_ids),
            Document.uploaded_by_id == subject.user_id if subject.user_id else false(),
        ),
    )
    return _delete_rows(session, list(session.exec(query)))


def _delete_rows(session: Session, documents: list[Document]) -> list[str]:
    keys = [document.storage_key for document in documents]
    for document in documents:
        session.delete(document)
    session.flush()
    return keys


def _delete_files(keys: list[str]) -> None:
    for key in keys:
        try:
            delete_stored(key)
        except InvalidStorageKey:
            continue


# --- retention ----------------------------------------------------------------------------


def purge_identity_documents(
    *, session: Session, now: datetime | None = None, retention_days: int | None = None
) -> int:
    """Delete identity documents received more than the retention setting ago; returns how many."""
    days = retention_days or get_settings().identity_document_retention_days
    cutoff = (now or utcnow()) - timedelta(days=days)
    expired = session.exec(
        select(Document).where(
            Document.category == DocumentCategory.IDENTITY,
            Document.created_at < cutoff,
        )
    ).all()
    keys = _delete_rows(session, list(expired))
    if keys:
        record_event(
            session=session,
            action="document.retention_purge",
            target_type="document",
            detail={"category": DocumentCategory.IDENTITY, "count": len(keys), "days": days},
        )
    session.commit()
    _delete_files(keys)
    return len(keys)
