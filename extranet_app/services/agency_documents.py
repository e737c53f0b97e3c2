"""Documents the agency publishes, and its list of every document of the extranet.

The agency uploads files to a lease, a lot, a building or a person and chooses who may see
them. That choice is stored as the links and flags services/documents.py reads: the one rule
of the Porte-documents decides who sees (and downloads) a document, and `concerned_people`
below names the same people for the e-mail, so nobody is told about a file they cannot open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from extranet_app.email.documents import build_document_available_email
from extranet_app.models import (
    Document,
    Lease,
    LeaseTenant,
    Lot,
    Owner,
    Ownership,
    Property,
    Tenant,
    User,
)
from extranet_app.models.documents import DocumentCategory, DocumentSource
from extranet_app.services.agency import get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space, require_staff
from extranet_app.services.documents import (
    CATEGORY_LABELS,
    category_label,
    document_reference,
    format_size,
)
from extranet_app.services.formatting import format_date
from extranet_app.services.outbox import EmailKind, EmailToQueue, queue_emails
from extranet_app.services.paging import page_count
from extranet_app.services.spaces import tenant_names_by_lease
from extranet_app.services.storage import delete_stored
from extranet_app.services.timekeeping import today_in_france
from extranet_app.services.uploads import MAX_FILES_PER_UPLOAD, CheckedFile, upload_batch
from extranet_app.settings import get_settings

TITLE_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 1000
SEARCH_MAX_LENGTH = 100
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_MATCHES_PER_KIND = 8
FOLDER_PATHS = {Space.TENANT: "/locataire/documents", Space.OWNER: "/proprietaire/documents"}


class TargetKind(StrEnum):
    """What an uploaded document is attached to."""

    LEASE = "bail"
    LOT = "lot"
    BUILDING = "immeuble"
    TENANT = "locataire"
    OWNER = "proprietaire"


TARGET_LABELS = {
    TargetKind.LEASE: "Bail",
    TargetKind.LOT: "Lot",
    TargetKind.BUILDING: "Immeuble",
    TargetKind.TENANT: "Locataire",
    TargetKind.OWNER: "Propriétaire",
}
# The journal's target types are the tables' names.
_AUDIT_TARGETS = {
    TargetKind.LEASE: "lease",
    TargetKind.LOT: "lot",
    TargetKind.BUILDING: "property",
    TargetKind.TENANT: "tenant",
    TargetKind.OWNER: "owner",
}


class Audience(StrEnum):
    """Who may see a document besides the agency."""

    TENANTS = "locataires"
    OWNERS = "proprietaires"
    BOTH = "tous"
    AGENCY = "agence"


AUDIENCE_LABELS = {
    Audience.TENANTS: "Locataires concernés",
    Audience.OWNERS: "Propriétaires concernés",
    Audience.BOTH: "Locataires et propriétaires",
    Audience.AGENCY: "Agence seulement",
}
SOURCE_LABELS = {
    DocumentSource.AGENCY: "Agence",
    DocumentSource.TENANT: "Locataire",
    DocumentSource.OWNER: "Propriétaire",
    DocumentSource.GENERATED: "Extranet",
}
# Made by the extranet from the ledger and the mandates, with rules of their own (a quittance
# never changes): the agency neither uploads nor deletes them by hand.
GENERATED_CATEGORIES = frozenset(
    {
        DocumentCategory.RENT_RECEIPT,
        DocumentCategory.PAYMENT_ACKNOWLEDGEMENT,
        DocumentCategory.RENT_NOTICE,
        DocumentCategory.MANAGEMENT_REPORT,
    }
)
UPLOAD_CATEGORIES = [
    category for category in DocumentCategory if category not in GENERATED_CATEGORIES
]


class DocumentRejected(ValueError):
    """A document action that cannot be done; the message is in French, for the agency."""


@dataclass(frozen=True)
class DocumentTarget:
    """What the agency attaches a document to (the id stays on the server)."""

    kind: TargetKind
    target_id: int


@dataclass(frozen=True)
class TargetListing:
    """A search result as the page shows it, without its database id."""

    kind_label: str
    label: str
    detail: str


@dataclass(frozen=True)
class TargetMatch:
    """A search result: the target stays on the server, the listing goes to the page."""

    target: DocumentTarget
    listing: TargetListing


@dataclass(frozen=True)
class UploadOutcome:
    """What an upload stored and how many people were told."""

    documents: int
    notified: int

    @property
    def message(self) -> str:
        """The French confirmation shown to the agency user."""
        stored = (
            "1 document déposé" if self.documents == 1 else f"{self.documents} documents déposés"
        )
        if self.notified == 0:
            return stored + " ; personne à prévenir par e-mail."
        return stored + f" ; {self.notified} personne(s) prévenue(s) via le centre d'envoi."


@dataclass(frozen=True)
class Recipient:
    """A person to tell about new documents, and the space where they will find them."""

    user_id: int
    email: str
    name: str
    space: Space


@dataclass(frozen=True)
class AgencyDocumentLine:
    """One row of the agency's document list: words and dates, an opaque reference, no id."""

    reference: str
    title: str
    filename: str
    category_label: str
    source_label: str
    attached_to: str
    audience_label: str
    date: str
    size: str
    comment: str
    can_delete: bool


@dataclass(frozen=True)
class AgencyDocumentEntry:
    """A row of the list with the id the state keeps on the server."""

    document_id: int
    line: AgencyDocumentLine


@dataclass(frozen=True)
class AgencyDocumentPage:
    """One page of the list, with the total for the pager."""

    entries: list[AgencyDocumentEntry]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


# --- Who may see what ---------------------------------------------------------------------------


def audiences_for(kind: TargetKind) -> list[Audience]:
    """The audiences that make sense for a target: a person's document is theirs alone."""
    if kind == TargetKind.TENANT:
        return [Audience.TENANTS, Audience.AGENCY]
    if kind == TargetKind.OWNER:
        return [Audience.OWNERS, Audience.AGENCY]
    return list(Audience)


def audience_flags(audience: Audience) -> tuple[bool, bool]:
    """(visible_to_tenants, visible_to_owners) for an audience."""
    return (
        audience in (Audience.TENANTS, Audience.BOTH),
        audience in (Audience.OWNERS, Audience.BOTH),
    )


def audience_of(*, visible_to_tenants: bool, visible_to_owners: bool) -> Audience:
    """The audience a document's two flags express."""
    if visible_to_tenants and visible_to_owners:
        return Audience.BOTH
    if visible_to_tenants:
        return Audience.TENANTS
    return Audience.OWNERS if visible_to_owners else Audience.AGENCY


def reachable(links: dict[str, Any]) -> tuple[bool, bool]:
    """Whether tenants, and whether owners, can ever see a document with these links.

    Mirrors services/documents.py: a tenant's personal document never reaches owners, and a
    document naming a person reaches tenants only through that person or a lease.
    """
    tenant_id, owner_id = links.get("tenant_id"), links.get("owner_id")
    lease_id, premises = links.get("lease_id"), links.get("lot_id") or links.get("property_id")
    tenants = bool(tenant_id or lease_id or (owner_id is None and premises))
    owners = tenant_id is None and bool(owner_id or lease_id or premises)
    return tenants, owners


def check_audience(links: dict[str, Any], audience: Audience) -> None:
    """Refuse an audience the links cannot reach (it would promise a visibility that the
    Porte-documents rule does not give)."""
    tenants, owners = reachable(links)
    to_tenants, to_owners = audience_flags(audience)
    if to_tenants and not tenants:
        raise DocumentRejected(
            "Ainsi rattaché, ce document ne peut pas être montré aux locataires : "
            "rattachez-le à un bail."
        )
    if to_owners and not owners:
        raise DocumentRejected(
            "Un document personnel d'un locataire ne peut pas être montré aux propriétaires."
        )


def parse_audience(value: object, allowed: Sequence[Audience] = tuple(Audience)) -> Audience:
    """An audience sent by the browser, or DocumentRejected."""
    if not isinstance(value, str) or value not in {audience.value for audience in allowed}:
        raise DocumentRejected("Choisissez qui peut voir le document.")
    return Audience(value)


def parse_category(value: object, allowed: Sequence[str]) -> str:
    """A category sent by the browser, or DocumentRejected."""
    if not isinstance(value, str) or value not in allowed:
        raise DocumentRejected("Choisissez une catégorie.")
    return value


def clean_text(value: object, *, limit: int, what: str) -> str:
    """A free text sent by the browser, trimmed; refused when it is not text or too long."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DocumentRejected(f"{what} invalide.")
    text = value.strip()
    if len(text) > limit:
        raise DocumentRejected(f"{what} : {limit} caractères au plus.")
    return text


def checked_files(files: Sequence[CheckedFile]) -> list[CheckedFile]:
    """The checked files of one upload (at least one, at most MAX_FILES_PER_UPLOAD)."""
    if not isinstance(files, Sequence) or not files:
        raise DocumentRejected("Choisissez au moins un fichier.")
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise DocumentRejected(f"{MAX_FILES_PER_UPLOAD} fichiers au plus par envoi.")
    if not all(isinstance(checked, CheckedFile) for checked in files):
        raise DocumentRejected("Fichier non vérifié.")
    return list(files)


def _current(today: date) -> ColumnElement[bool]:
    return and_(
        col(Lease.start_date) <= today,
        or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= today),
    )


def _concerned_tenants(target: DocumentTarget, today: date):
    """Tenant ids who see a tenants' document on `target` (services/documents.py's rule)."""
    kind, target_id = target.kind, target.target_id
    if kind == TargetKind.TENANT:
        return select(Tenant.id).where(Tenant.id == target_id)
    if kind == TargetKind.LEASE:  # every tenant named on the lease, even once it has ended
        return select(LeaseTenant.tenant_id).where(LeaseTenant.lease_id == target_id)
    current = select(LeaseTenant.tenant_id).join(Lease, Lease.id == LeaseTenant.lease_id)
    if kind == TargetKind.LOT:
        return current.where(Lease.lot_id == target_id, _current(today))
    if kind == TargetKind.BUILDING:
        lots = select(Lot.id).where(Lot.property_id == target_id)
        return current.where(col(Lease.lot_id).in_(lots), _current(today))
    return None


def _concerned_owners(target: DocumentTarget):
    """Owner ids who see an owners' document on `target`."""
    kind, target_id = target.kind, target.target_id
    if kind == TargetKind.OWNER:
        return select(Owner.id).where(Owner.id == target_id)
    if kind == TargetKind.LEASE:
        lot = select(Lease.lot_id).where(Lease.id == target_id).scalar_subquery()
        return select(Ownership.owner_id).where(Ownership.lot_id == lot)
    if kind == TargetKind.LOT:
        return select(Ownership.owner_id).where(Ownership.lot_id == target_id)
    if kind == TargetKind.BUILDING:
        lots = select(Lot.id).where(Lot.property_id == target_id)
        return select(Ownership.owner_id).where(col(Ownership.lot_id).in_(lots))
    return None


def _reachable_users(profile: type[Tenant] | type[Owner], profile_ids) -> Any:
    # A login that works (activated, active) and did not turn notifications off.
    return (
        select(User.id, User.email, User.display_name)
        .join(profile, profile.user_id == User.id)
        .where(
            col(profile.id).in_(profile_ids),
            col(User.is_active).is_(True),
            col(User.password_hash).is_not(None),
            col(User.email_notifications).is_(True),
        )
        .distinct()
    )


def concerned_people(
    *, session: Session, target: DocumentTarget, audience: Audience, today: date
) -> list[Recipient]:
    """The people who will see a document on `target` for `audience` and who want to be told,
    each once (a person both tenant and owner is told as a tenant)."""
    to_tenants, to_owners = audience_flags(audience)
    found: dict[int, Recipient] = {}
    groups = []
    if to_tenants and (tenants := _concerned_tenants(target, today)) is not None:
        groups.append((Space.TENANT, _reachable_users(Tenant, tenants)))
    if to_owners and (owners := _concerned_owners(target)) is not None:
        groups.append((Space.OWNER, _reachable_users(Owner, owners)))
    for space, query in groups:
        for user_id, email, name in session.exec(query).all():
            found.setdefault(user_id, Recipient(user_id, email, name or email, space))
    return sorted(found.values(), key=lambda recipient: recipient.user_id)


def queue_document_notices(
    *,
    session: Session,
    recipients: Sequence[Recipient],
    count: int,
    categories: Sequence[str],
    actor_user_id: int | None,
) -> int:
    """One e-mail per person through the centre d'envoi (inside the caller's transaction)."""
    agency = get_agency_identity(session=session)
    base_url = get_settings().public_url.rstrip("/")
    labels = [category_label(category) for category in categories]
    emails = [
        EmailToQueue(
            kind=EmailKind.NOTIFICATION,
            to_address=recipient.email,
            to_name=recipient.name,
            message=build_document_available_email(
                agency=agency,
                to_name=recipient.name,
                count=count,
                categories=labels,
                folder_url=base_url + FOLDER_PATHS[recipient.space],
            ),
            user_id=recipient.user_id,
            created_by_id=actor_user_id,
        )
        for recipient in recipients
    ]
    return queue_emails(session=session, emails=emails)


# --- Targets ------------------------------------------------------------------------------------


def target_links(*, session: Session, target: DocumentTarget) -> dict[str, int]:
    """The Document fields that attach a document to `target`; refused if it does not exist."""
    model = {
        TargetKind.LEASE: Lease,
        TargetKind.LOT: Lot,
        TargetKind.BUILDING: Property,
        TargetKind.TENANT: Tenant,
        TargetKind.OWNER: Owner,
    }[target.kind]
    row = session.get(model, target.target_id)
    if row is None:
        raise DocumentRejected("Destinataire introuvable : recherchez-le à nouveau.")
    if isinstance(row, Lease):
        # A lease document also names its lot; the rule keeps it to the lease's own people.
        return {"lease_id": row.id, "lot_id": row.lot_id}
    field = {
        TargetKind.LOT: "lot_id",
        TargetKind.BUILDING: "property_id",
        TargetKind.TENANT: "tenant_id",
        TargetKind.OWNER: "owner_id",
    }[target.kind]
    return {field: row.id}


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _address(building: Property) -> str:
    line = ", ".join(part for part in (building.address_line1, building.address_line2) if part)
    return f"{line}, {building.postal_code} {building.city}"


def _lot_label(lot: Lot, building: Property) -> str:
    return f"{building.name} — lot {lot.reference}"


def lease_period(lease: Lease, today: date) -> str:
    """A lease's dates as the agency reads them: "depuis le …" while it runs."""
    if lease.end_date is not None and lease.end_date < today:
        return f"du {format_date(lease.start_date)} au {format_date(lease.end_date)}"
    if lease.end_date is not None:
        return f"depuis le {format_date(lease.start_date)}, jusqu'au {format_date(lease.end_date)}"
    return f"depuis le {format_date(lease.start_date)}"


def ended_last(today: date) -> ColumnElement[int]:
    """An ORDER BY key putting leases in force (or to come) before ended ones."""
    return case((col(Lease.end_date) < today, 1), else_=0)


def _name_matches(profile: type[Tenant] | type[Owner], pattern: str) -> ColumnElement[bool]:
    return or_(
        col(profile.last_name).ilike(pattern, escape="\\"),
        col(profile.first_name).ilike(pattern, escape="\\"),
        col(profile.company_name).ilike(pattern, escape="\\"),
        col(profile.email).ilike(pattern, escape="\\"),
    )


def _premises_matches(pattern: str) -> ColumnElement[bool]:
    return or_(
        col(Lot.reference).ilike(pattern, escape="\\"),
        col(Property.name).ilike(pattern, escape="\\"),
        col(Property.address_line1).ilike(pattern, escape="\\"),
        col(Property.city).ilike(pattern, escape="\\"),
    )


def _lease_matches(session: Session, pattern: str, limit: int, today: date) -> list[TargetMatch]:
    by_tenant = select(LeaseTenant.lease_id).join(Tenant, Tenant.id == LeaseTenant.tenant_id)
    by_tenant = by_tenant.where(_name_matches(Tenant, pattern))
    rows = session.exec(
        select(Lease, Lot, Property)
        .join(Lot, Lot.id == Lease.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(
            or_(
                col(Lease.id).in_(by_tenant),
                _premises_matches(pattern),
                col(Lease.payment_reference).ilike(pattern, escape="\\"),
            )
        )
        .order_by(ended_last(today), Property.name, Lot.reference)
        .limit(limit)
    ).all()
    names = tenant_names_by_lease(session=session, lease_ids=[lease.id for lease, _, _ in rows])
    return [
        TargetMatch(
            DocumentTarget(TargetKind.LEASE, lease.id),
            TargetListing(
                "Bail",
                _lot_label(lot, building),
                ", ".join(names.get(lease.id, [])) + " · " + lease_period(lease, today),
            ),
        )
        for lease, lot, building in rows
    ]


def _lot_matches(session: Session, pattern: str, limit: int) -> list[TargetMatch]:
    rows = session.exec(
        select(Lot, Property)
        .join(Property, Property.id == Lot.property_id)
        .where(_premises_matches(pattern))
        .order_by(Property.name, Lot.reference)
        .limit(limit)
    ).all()
    return [
        TargetMatch(
            DocumentTarget(TargetKind.LOT, lot.id),
            TargetListing("Lot", _lot_label(lot, building), _address(building)),
        )
        for lot, building in rows
    ]


def _building_matches(session: Session, pattern: str, limit: int) -> list[TargetMatch]:
    rows = session.exec(
        select(Property)
        .where(
            or_(
                col(Property.name).ilike(pattern, escape="\\"),
                col(Property.address_line1).ilike(pattern, escape="\\"),
                col(Property.city).ilike(pattern, escape="\\"),
            )
        )
        .order_by(Property.name)
        .limit(limit)
    ).all()
    return [
        TargetMatch(
            DocumentTarget(TargetKind.BUILDING, building.id),
            TargetListing("Immeuble", building.name, _address(building)),
        )
        for building in rows
    ]


def _person_matches(
    session: Session, profile: type[Tenant] | type[Owner], pattern: str, limit: int
) -> list[TargetMatch]:
    kind = TargetKind.TENANT if profile is Tenant else TargetKind.OWNER
    rows = session.exec(
        select(profile)
        .where(_name_matches(profile, pattern))
        .order_by(profile.last_name, profile.first_name)
        .limit(limit)
    ).all()
    return [
        TargetMatch(
            DocumentTarget(kind, person.id),
            TargetListing(TARGET_LABELS[kind], person.full_name, person.email or ""),
        )
        for person in rows
    ]


def search_targets(
    *,
    session: Session,
    user: SessionUser,
    text: str,
    per_kind: int = _MATCHES_PER_KIND,
    today: date | None = None,
) -> list[TargetMatch]:
    """Leases, lots, buildings, tenants and owners matching `text`, a few of each kind."""
    require_staff(user)
    words = text.strip()[:SEARCH_MAX_LENGTH] if isinstance(text, str) else ""
    if not words:
        return []
    pattern, limit = _like(words), max(1, min(per_kind, 50))
    return [
        *_lease_matches(session, pattern, limit, today or today_in_france()),
        *_lot_matches(session, pattern, limit),
        *_building_matches(session, pattern, limit),
        *_person_matches(session, Tenant, pattern, limit),
        *_person_matches(session, Owner, pattern, limit),
    ]


# --- Uploading ----------------------------------------------------------------------------------


def _default_title(filename: str) -> str:
    return PurePath(filename).stem[:TITLE_MAX_LENGTH] or "Document"


def upload_documents(
    *,
    session: Session,
    user: SessionUser,
    target: DocumentTarget,
    category: object,
    title: object,
    comment: object,
    audience: object,
    files: Sequence[CheckedFile],
    today: date | None = None,
    ip: str = "",
) -> UploadOutcome:
    """Store checked files on `target` for `audience`, queue one e-mail per person concerned,
    and journal it: all in one transaction, with nothing stored if anything fails."""
    require_staff(user)
    category = parse_category(category, UPLOAD_CATEGORIES)
    chosen = parse_audience(audience, audiences_for(target.kind))
    title = clean_text(title, limit=TITLE_MAX_LENGTH, what="Titre")
    comment = clean_text(comment, limit=COMMENT_MAX_LENGTH, what="Commentaire")
    files = checked_files(files)
    links = target_links(session=session, target=target)
    check_audience(links, chosen)
    to_tenants, to_owners = audience_flags(chosen)
    with upload_batch(session) as batch:
        documents = [
            batch.save(
                checked,
                **links,
                category=category,
                source=DocumentSource.AGENCY,
                title=title or _default_title(checked.filename),
                comment=comment,
                visible_to_tenants=to_tenants,
                visible_to_owners=to_owners,
                uploaded_by_id=user.user_id,
            )
            for checked in files
        ]
        recipients = concerned_people(
            session=session, target=target, audience=chosen, today=today or today_in_france()
        )
        notified = queue_document_notices(
            session=session,
            recipients=recipients,
            count=len(documents),
            categories=[category],
            actor_user_id=user.user_id,
        )
        record_event(
            session=session,
            action="document.upload",
            actor_user_id=user.user_id,
            target_type=_AUDIT_TARGETS[target.kind],
            target_id=target.target_id,
            ip=ip,
            detail={
                "documents": [document.id for document in documents],
                "category": category,
                "audience": chosen.value,
                "notified": notified,
            },
        )
        session.commit()
    return UploadOutcome(documents=len(documents), notified=notified)


# --- The agency's list --------------------------------------------------------------------------


def _matching_documents(search: str) -> ColumnElement[bool]:
    """Documents whose title, or whatever they are attached to, contains the words."""
    pattern = _like(search)
    premises = (
        select(Lot.id)
        .join(Property, Property.id == Lot.property_id)
        .where(_premises_matches(pattern))
    )
    buildings = select(Property.id).where(
        or_(
            col(Property.name).ilike(pattern, escape="\\"),
            col(Property.address_line1).ilike(pattern, escape="\\"),
            col(Property.city).ilike(pattern, escape="\\"),
        )
    )
    tenants = select(Tenant.id).where(_name_matches(Tenant, pattern))
    owners = select(Owner.id).where(_name_matches(Owner, pattern))
    leases = select(Lease.id).where(
        or_(
            col(Lease.lot_id).in_(premises),
            col(Lease.id).in_(
                select(LeaseTenant.lease_id).where(col(LeaseTenant.tenant_id).in_(tenants))
            ),
        )
    )
    return or_(
        col(Document.title).ilike(pattern, escape="\\"),
        col(Document.original_filename).ilike(pattern, escape="\\"),
        col(Document.lease_id).in_(leases),
        col(Document.lot_id).in_(premises),
        col(Document.property_id).in_(buildings),
        col(Document.tenant_id).in_(tenants),
        col(Document.owner_id).in_(owners),
    )


def _list_filter(category: str | None, source: str | None, search: str) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if category in CATEGORY_LABELS:
        conditions.append(col(Document.category) == category)
    if source in SOURCE_LABELS:
        conditions.append(col(Document.source) == source)
    if words := search.strip()[:SEARCH_MAX_LENGTH]:
        conditions.append(_matching_documents(words))
    return and_(*conditions)


def deletion_refusal(document: Document) -> str | None:
    """Why the agency may not delete this document, or None when it may."""
    generated = (
        document.source == DocumentSource.GENERATED
        or document.category in GENERATED_CATEGORIES
        or document.rent_call_id is not None
    )
    if generated:
        return (
            "Les documents produits par l'extranet (quittances, avis d'échéance, rapports de "
            "gestion) ne peuvent jamais être supprimés."
        )
    if document.document_request_id is not None:
        return "Ce document répond à une demande (Documents à fournir) : il se traite depuis elle."
    if document.message_id is not None:
        return "Ce document est joint à un message : il ne peut pas être supprimé ici."
    return None


def describe_attachments(*, session: Session, documents: Sequence[Document]) -> dict[int, str]:
    """What each document is attached to, in words, by document id (a fixed number of queries)."""
    lease_ids = {d.lease_id for d in documents if d.lease_id}
    lot_ids = {d.lot_id for d in documents if d.lot_id}
    leases = {
        lease.id: (lease, lot, building)
        for lease, lot, building in session.exec(
            select(Lease, Lot, Property)
            .join(Lot, Lot.id == Lease.lot_id)
            .join(Property, Property.id == Lot.property_id)
            .where(col(Lease.id).in_(lease_ids))
        ).all()
    }
    lots = {
        lot.id: _lot_label(lot, building)
        for lot, building in session.exec(
            select(Lot, Property)
            .join(Property, Property.id == Lot.property_id)
            .where(col(Lot.id).in_(lot_ids))
        ).all()
    }
    buildings = _names(session, Property, {d.property_id for d in documents if d.property_id})
    tenants = _names(session, Tenant, {d.tenant_id for d in documents if d.tenant_id})
    owners = _names(session, Owner, {d.owner_id for d in documents if d.owner_id})
    tenant_names = tenant_names_by_lease(session=session, lease_ids=list(leases))
    labels = {}
    for document in documents:
        parts = []
        if document.tenant_id:
            parts.append("Locataire " + tenants.get(document.tenant_id, "?"))
        if document.owner_id:
            parts.append("Propriétaire " + owners.get(document.owner_id, "?"))
        if document.lease_id in leases:
            lease, lot, building = leases[document.lease_id]
            names = ", ".join(tenant_names.get(lease.id, []))
            parts.append(f"Bail {_lot_label(lot, building)} ({names})")
        elif document.lot_id:
            parts.append("Lot " + lots.get(document.lot_id, "?"))
        if document.property_id and not document.lot_id:
            parts.append("Immeuble " + buildings.get(document.property_id, "?"))
        labels[document.id] = " · ".join(parts) or "Agence (aucun rattachement)"
    return labels


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(model).where(col(model.id).in_(ids))).all()
    return {row.id: (row.name if model is Property else row.full_name) for row in rows}


def _line(document: Document, attached_to: str) -> AgencyDocumentLine:
    audience = audience_of(
        visible_to_tenants=document.visible_to_tenants,
        visible_to_owners=document.visible_to_owners,
    )
    return AgencyDocumentLine(
        reference=document_reference(document.id),
        title=document.title,
        filename=document.original_filename,
        category_label=category_label(document.category),
        source_label=SOURCE_LABELS.get(document.source, document.source),
        attached_to=attached_to,
        audience_label=AUDIENCE_LABELS[audience],
        date=format_date(document.created_at.date()),
        size=format_size(document.size_bytes),
        comment=document.comment,
        can_delete=deletion_refusal(document) is None,
    )


def list_agency_documents(
    *,
    session: Session,
    user: SessionUser,
    category: str | None = None,
    source: str | None = None,
    search: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AgencyDocumentPage:
    """One page of every document, newest first, by category, source and what it is attached
    to (a tenant's or owner's name, a lot, a building, a title)."""
    require_staff(user)
    page = page if type(page) is int and page > 0 else 1
    page_size = min(max(1, int(page_size)), MAX_PAGE_SIZE)
    where = _list_filter(category, source, search if isinstance(search, str) else "")
    total = session.exec(select(func.count()).select_from(Document).where(where)).one()
    page = min(page, page_count(total, page_size))
    documents = session.exec(
        select(Document)
        .where(where)
        .order_by(col(Document.created_at).desc(), col(Document.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    attached = describe_attachments(session=session, documents=documents)
    entries = [AgencyDocumentEntry(d.id, _line(d, attached[d.id])) for d in documents]
    return AgencyDocumentPage(entries, total, page, page_size)


# --- Deleting -----------------------------------------------------------------------------------


def _refuse_deletion(
    session: Session, user: SessionUser, document_id: int, reason: str, ip: str
) -> None:
    record_event(
        session=session,
        action="document.delete",
        actor_user_id=user.user_id,
        target_type="document",
        target_id=document_id,
        allowed=False,
        ip=ip,
        detail={"reason": reason[:200]},
    )
    session.commit()
    raise DocumentRejected(reason)


def delete_document(*, session: Session, user: SessionUser, document_id: int, ip: str = "") -> str:
    """Delete a document's row and its stored file (journaled); returns its title.

    Generated documents never go; neither does a file that another record still points to.
    """
    require_staff(user)
    document = session.get(Document, document_id) if type(document_id) is int else None
    if document is None:
        raise DocumentRejected("Document introuvable.")
    if reason := deletion_refusal(document):
        _refuse_deletion(session, user, document.id, reason, ip)
    storage_key, title = document.storage_key, document.title
    detail = {
        "title": title,
        "filename": document.original_filename,
        "category": document.category,
        "source": document.source,
        "sha256": document.sha256,
    }
    session.delete(document)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        _refuse_deletion(
            session,
            user,
            document_id,
            "Ce document est utilisé ailleurs (une dépense, un rapport…) : il est conservé.",
            ip,
        )
    record_event(
        session=session,
        action="document.delete",
        actor_user_id=user.user_id,
        target_type="document",
        target_id=document_id,
        ip=ip,
        detail=detail,
    )
    session.commit()
    # Only once the row is gone: a failed commit must not leave a row without its file.
    delete_stored(storage_key)
    return title
