"""The Porte-documents: which documents a tenant or an owner may see and download.

One visibility rule per space, written as a SQL condition, serves both the list and the
download, so a document that is not listed can never be downloaded either (the files a person
sent themselves are listed in their "Documents envoyés" rather than in the Porte-documents). The
browser names a document by an opaque reference (services/security.opaque_reference), never by
its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true, union_all
from sqlmodel import Session, col, select

from extranet_app.models import Document, Lease, LeaseTenant, Lot, Message, Ownership, Thread
from extranet_app.models.documents import DocumentCategory, DocumentSource
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.formatting import format_date
from extranet_app.services.sections import documents_condition
from extranet_app.services.security import id_from_reference, opaque_reference
from extranet_app.services.storage import InvalidStorageKey, path_for
from extranet_app.services.timekeeping import today_in_france

CATEGORY_LABELS: dict[str, str] = {
    DocumentCategory.LEASE: "Bail",
    DocumentCategory.INVENTORY: "État des lieux",
    DocumentCategory.CO_OWNERSHIP_RULES: "Règlement de copropriété",
    DocumentCategory.CERTIFICATE: "Attestation",
    DocumentCategory.RENT_RECEIPT: "Quittance",
    DocumentCategory.PAYMENT_ACKNOWLEDGEMENT: "Reçu",
    DocumentCategory.RENT_NOTICE: "Avis d'échéance",
    DocumentCategory.INVOICE: "Facture",
    DocumentCategory.MANAGEMENT_REPORT: "Rapport de gestion",
    DocumentCategory.MANDATE: "Mandat",
    DocumentCategory.TAX: "Fiscalité",
    DocumentCategory.DIAGNOSTIC: "Diagnostic",
    DocumentCategory.INSURANCE: "Assurance",
    DocumentCategory.IDENTITY: "Pièce d'identité",
    DocumentCategory.PHOTO: "Photo",
    DocumentCategory.BANK_DETAILS: "RIB",
    DocumentCategory.OTHER: "Autre",
}
_MAX_SEARCH = 100
_BILLING_CATEGORIES = (
    DocumentCategory.RENT_RECEIPT,
    DocumentCategory.PAYMENT_ACKNOWLEDGEMENT,
    DocumentCategory.RENT_NOTICE,
    DocumentCategory.INVOICE,
)


@dataclass(frozen=True)
class DocumentSummary:
    """A document as a Porte-documents lists it: no database id, only an opaque reference."""

    reference: str
    title: str
    category: str
    category_label: str
    date: str
    size: str
    filename: str


@dataclass(frozen=True)
class DownloadableDocument:
    """What the download route needs to send one file."""

    path: Path
    filename: str
    mime_type: str
    size_bytes: int


def category_label(category: str) -> str:
    """The French name of a document category ("Autre" for an unknown one)."""
    return CATEGORY_LABELS.get(category, "Autre")


def document_reference(document_id: int) -> str:
    """The opaque name of a document in the browser (services/security.opaque_reference)."""
    return opaque_reference("document", document_id)


def format_size(size_bytes: int) -> str:
    """A file size as French readers expect it: "245 Ko", "1,2 Mo", "512 octets"."""
    if size_bytes < 1024:
        return f"{size_bytes} octets"
    if size_bytes < 1024 * 1024:
        return f"{round(size_bytes / 1024)} Ko"
    return f"{size_bytes / (1024 * 1024):.1f} Mo".replace(".", ",")


def _current_leases(today: date):
    return and_(
        col(Lease.start_date) <= today,
        or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= today),
    )


def tenant_visibility(user: SessionUser, today: date) -> ColumnElement[bool]:
    """Documents shown to tenants and linked to the user: as a person, through any of their
    leases, or through the lot or building of a lease they hold today."""
    tenant_ids = list(user.tenant_ids)
    if not tenant_ids:
        return false()
    my_leases, current_lots, current_buildings = _tenant_premises(user, today)
    # A document tied to a lease or a person belongs to that lease or person only, even when it
    # also names the lot: a later tenant of the lot must not see a former tenant's papers.
    shared_with_premises = and_(
        col(Document.lease_id).is_(None),
        col(Document.tenant_id).is_(None),
        col(Document.owner_id).is_(None),
        or_(
            col(Document.lot_id).in_(current_lots),
            and_(
                col(Document.lot_id).is_(None),
                col(Document.property_id).in_(current_buildings),
            ),
        ),
    )
    return and_(
        col(Document.visible_to_tenants).is_(True),
        or_(
            col(Document.tenant_id).in_(tenant_ids),
            col(Document.lease_id).in_(my_leases),
            shared_with_premises,
        ),
    )


def owner_visibility(user: SessionUser) -> ColumnElement[bool]:
    """Documents shown to owners and linked to the user: as a person (mandates, reports), or
    through a lot they own, its building or its leases; never a tenant's personal document."""
    owner_ids = list(user.owner_ids)
    if not owner_ids:
        return false()
    my_leases, my_lots, my_buildings = _owner_premises(user)
    through_lots = and_(
        col(Document.owner_id).is_(None),
        or_(
            col(Document.lease_id).in_(my_leases),
            and_(col(Document.lease_id).is_(None), col(Document.lot_id).in_(my_lots)),
            and_(
                col(Document.lease_id).is_(None),
                col(Document.lot_id).is_(None),
                col(Document.property_id).in_(my_buildings),
            ),
        ),
    )
    return and_(
        col(Document.visible_to_owners).is_(True),
        col(Document.tenant_id).is_(None),
        or_(col(Document.owner_id).in_(owner_ids), through_lots),
    )


def _tenant_premises(user: SessionUser, today: date):
    my_leases = select(LeaseTenant.lease_id).where(
        col(LeaseTenant.tenant_id).in_(list(user.tenant_ids))
    )
    lots = select(Lease.lot_id).where(col(Lease.id).in_(my_leases)).where(_current_leases(today))
    buildings = select(Lot.property_id).where(col(Lot.id).in_(lots))
    return my_leases, lots, buildings


def _owner_premises(user: SessionUser):
    lots = select(Ownership.lot_id).where(col(Ownership.owner_id).in_(list(user.owner_ids)))
    leases = select(Lease.id).where(col(Lease.lot_id).in_(lots))
    buildings = select(Lot.property_id).where(col(Lot.id).in_(lots))
    return leases, lots, buildings


def candidate_ids(user: SessionUser, space: Space, today: date):
    """The ids of every document linked to the person's profiles, leases, lots or buildings,
    found through the link indexes: a superset of what `visibility` allows, which a folder
    query ANDs with it so that the database reads a few rows instead of the whole table (the
    one OR over four columns defeats the indexes). None for the agency, which sees everything.
    """
    if space == Space.AGENCY:
        return None
    if space == Space.TENANT:
        people = col(Document.tenant_id).in_(list(user.tenant_ids))
        leases, lots, buildings = _tenant_premises(user, today)
    else:
        people = col(Document.owner_id).in_(list(user.owner_ids))
        leases, lots, buildings = _owner_premises(user)
    return union_all(
        select(Document.id).where(people),
        select(Document.id).where(col(Document.lease_id).in_(leases)),
        select(Document.id).where(col(Document.lot_id).in_(lots)),
        select(Document.id).where(col(Document.property_id).in_(buildings)),
    )


def own_uploads(user: SessionUser, space: Space) -> ColumnElement[bool]:
    """Files the person sent to the agency themselves (documents à fournir, envoi de documents):
    theirs to see again in "Documents envoyés", whatever the visibility flags say."""
    if space == Space.TENANT and user.tenant_ids:
        return and_(
            col(Document.source) == DocumentSource.TENANT,
            col(Document.tenant_id).in_(list(user.tenant_ids)),
        )
    if space == Space.OWNER and user.owner_ids:
        return and_(
            col(Document.source) == DocumentSource.OWNER,
            col(Document.owner_id).in_(list(user.owner_ids)),
        )
    return false()


_THREAD_ROLES = {Space.TENANT: "tenant", Space.OWNER: "owner"}


def message_attachment_visibility(user: SessionUser, space: Space) -> ColumnElement[bool]:
    """Files attached to the messages of the user's own conversations in `space` (Messagerie);
    never those of the agency's internal notes."""
    visible_messages = (
        select(Message.id)
        .join(Thread, col(Thread.id) == col(Message.thread_id))
        .where(
            Thread.person_user_id == user.user_id,
            Thread.person_role == _THREAD_ROLES[space],
            col(Message.is_internal_note).is_(False),
        )
    )
    return col(Document.message_id).in_(visible_messages)


def visibility(*, user: SessionUser, space: Space, today: date) -> ColumnElement[bool]:
    """The one rule deciding which documents `user` may see (and download) in `space`: what is
    shared with them, and what they sent themselves."""
    if space == Space.AGENCY:
        return true() if user.is_agency else false()
    if space == Space.TENANT:
        return or_(
            tenant_visibility(user, today),
            own_uploads(user, space),
            message_attachment_visibility(user, space),
        )
    return or_(
        owner_visibility(user),
        own_uploads(user, space),
        message_attachment_visibility(user, space),
    )


def _summary(document: Document) -> DocumentSummary:
    return DocumentSummary(
        reference=document_reference(document.id),
        title=document.title,
        category=document.category,
        category_label=category_label(document.category),
        date=format_date(document.created_at.date()),
        size=format_size(document.size_bytes),
        filename=document.original_filename,
    )


def _folder_condition(
    *, session: Session, user: SessionUser, space: Space, today: date
) -> ColumnElement[bool]:
    """What the Porte-documents of `user` in `space` holds, before any filter the person chose.

    The person's own uploads are listed in "Documents envoyés" instead, with their status;
    attachments stay in their conversation; documents of a section the agency turned off (e.g.
    quittances) are not listed; quittances, reçus, avis d'échéance and invoices issued here
    have their own sections (one per period: they would bury the lease papers). The download
    route still serves each of them to whoever may see it.
    """
    candidates = candidate_ids(user, space, today)
    return and_(
        col(Document.id).in_(candidates) if candidates is not None else true(),
        visibility(user=user, space=space, today=today),
        not_(own_uploads(user, space)),
        col(Document.message_id).is_(None),
        documents_condition(session=session, user=user, space=space),
        not_(
            and_(
                col(Document.source) == DocumentSource.GENERATED,
                col(Document.category).in_(_BILLING_CATEGORIES),
            )
        ),
    )


def _chosen(category: str | None, search: str) -> ColumnElement[bool]:
    """The category and title words the person chose."""
    conditions = [true()]
    if category:
        conditions.append(col(Document.category) == category)
    words = search.strip()[:_MAX_SEARCH]
    if words:
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(col(Document.title).ilike(f"%{escaped}%", escape="\\"))
    return and_(*conditions)


def list_documents(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    today: date,
    category: str | None = None,
    search: str = "",
    page: int = 1,
    page_size: int | None = None,
) -> list[DocumentSummary]:
    """The Porte-documents of `user` in `space`, newest first, filtered by category and title;
    one page of `page_size` rows when given (cut by the database)."""
    statement = (
        select(Document)
        .where(_folder_condition(session=session, user=user, space=space, today=today))
        .where(_chosen(category, search))
        .order_by(col(Document.created_at).desc(), col(Document.id).desc())
    )
    if page_size:
        statement = statement.offset((max(page, 1) - 1) * page_size).limit(page_size)
    return [_summary(document) for document in session.exec(statement).all()]


def count_documents(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    today: date,
    category: str | None = None,
    search: str = "",
) -> int:
    """How many documents `list_documents` finds with the same filters (for the pager)."""
    return session.exec(
        select(func.count())
        .select_from(Document)
        .where(_folder_condition(session=session, user=user, space=space, today=today))
        .where(_chosen(category, search))
    ).one()


def folder_categories(
    *, session: Session, user: SessionUser, space: Space, today: date
) -> list[str]:
    """The categories present in the Porte-documents (for its filter)."""
    return list(
        session.exec(
            select(Document.category)
            .where(_folder_condition(session=session, user=user, space=space, today=today))
            .distinct()
        ).all()
    )


def documents_for_tenant(
    *,
    session: Session,
    user: SessionUser,
    category: str | None = None,
    search: str = "",
    today: date | None = None,
) -> list[DocumentSummary]:
    """The tenant's Porte-documents."""
    return list_documents(
        session=session,
        user=user,
        space=Space.TENANT,
        today=today or today_in_france(),
        category=category,
        search=search,
    )


def documents_for_owner(
    *,
    session: Session,
    user: SessionUser,
    category: str | None = None,
    search: str = "",
    today: date | None = None,
) -> list[DocumentSummary]:
    """The owner's Porte-documents."""
    return list_documents(
        session=session,
        user=user,
        space=Space.OWNER,
        today=today or today_in_france(),
        category=category,
        search=search,
    )


def _find_visible(
    *, session: Session, user: SessionUser, space: Space, today: date, reference: str
) -> Document | None:
    document_id = id_from_reference("document", reference)
    if document_id is None:
        return None
    return session.exec(
        select(Document).where(
            Document.id == document_id,
            visibility(user=user, space=space, today=today),
            documents_condition(session=session, user=user, space=space),
        )
    ).first()


def downloadable_document(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    reference: str,
    ip: str = "",
    today: date | None = None,
) -> DownloadableDocument | None:
    """The file behind `reference` if `user` may see it in `space`, else None; audited."""
    today = today or today_in_france()
    document = _find_visible(
        session=session, user=user, space=space, today=today, reference=reference
    )
    found = None
    if document is not None:
        try:
            path = path_for(document.storage_key)
        except InvalidStorageKey:
            path = None
        if path is not None and path.is_file():
            found = DownloadableDocument(
                path=path,
                filename=document.original_filename,
                mime_type=document.mime_type or "application/octet-stream",
                size_bytes=document.size_bytes,
            )
    record_event(
        session=session,
        action="document.download",
        actor_user_id=user.previewed_by_user_id or user.user_id,
        target_type="document",
        target_id=document.id if document is not None else None,
        allowed=found is not None,
        ip=ip,
        detail={"space": space.value, "reference": reference[:64]},
    )
    session.commit()
    return found
