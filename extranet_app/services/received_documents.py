"""Documents reçus: what owners (and tenants) sent the agency unasked, and how the agency files it.

A received document is one a person uploaded themselves outside a document request or a
message. Filing ("classer") records when it was filed, may correct its category, attaches it
to one of the sender's lots or leases, and decides who else may see it, within what the
Porte-documents rule allows for a document naming its sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from extranet_app.models import (
    Document,
    Lease,
    LeaseTenant,
    Lot,
    Owner,
    Ownership,
    Property,
    Tenant,
)
from extranet_app.models.base import utcnow
from extranet_app.models.documents import DocumentSource
from extranet_app.services.agency_documents import (
    AUDIENCE_LABELS,
    GENERATED_CATEGORIES,
    Audience,
    DocumentRejected,
    audience_flags,
    audience_of,
    check_audience,
    describe_attachments,
    ended_last,
    lease_period,
    parse_audience,
    parse_category,
)
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_staff
from extranet_app.services.documents import (
    CATEGORY_LABELS,
    category_label,
    document_reference,
    format_size,
)
from extranet_app.services.formatting import format_date, format_datetime
from extranet_app.services.paging import page_count
from extranet_app.services.timekeeping import today_in_france

PAGE_SIZE = 25
MAX_FILING_OPTIONS = 60
FILING_CATEGORIES = [
    category for category in CATEGORY_LABELS if category not in GENERATED_CATEGORIES
]


class InboxFilter(StrEnum):
    """Which received documents the inbox shows."""

    UNFILED = "a_classer"
    FILED = "classes"
    ALL = "tous"


INBOX_FILTER_LABELS = {
    InboxFilter.UNFILED: "À classer",
    InboxFilter.FILED: "Classés",
    InboxFilter.ALL: "Tous",
}


class AttachmentKind(StrEnum):
    LOT = "lot"
    LEASE = "bail"


@dataclass(frozen=True)
class ReceivedLine:
    """One received document as the inbox shows it (opaque reference, no id)."""

    reference: str
    title: str
    filename: str
    sender: str
    category_label: str
    attached_to: str
    comment: str
    date: str
    size: str
    filed: bool
    status_label: str
    audience_label: str


@dataclass(frozen=True)
class ReceivedEntry:
    """A row of the inbox with the id the state keeps on the server."""

    document_id: int
    line: ReceivedLine


@dataclass(frozen=True)
class ReceivedPage:
    """One page of the inbox, with the total for the pager."""

    entries: list[ReceivedEntry]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


@dataclass(frozen=True)
class FilingOption:
    """A lot or lease of the sender the document may be attached to."""

    kind: AttachmentKind
    target_id: int
    label: str


@dataclass(frozen=True)
class FilingForm:
    """What the filing dialog offers for one document, with its current choices."""

    title: str
    sender: str
    category: str
    options: list[FilingOption]
    current_option: int  # position in `options`, -1 for "no lot or lease"
    audiences: list[Audience]
    audience: Audience


def received_condition() -> ColumnElement[bool]:
    """Documents people sent on their own initiative (not for a request, not in a message)."""
    return and_(
        col(Document.source).in_([DocumentSource.OWNER, DocumentSource.TENANT]),
        col(Document.document_request_id).is_(None),
        col(Document.message_id).is_(None),
    )


def _filter_condition(status: InboxFilter) -> ColumnElement[bool]:
    if status == InboxFilter.UNFILED:
        return and_(received_condition(), col(Document.filed_at).is_(None))
    if status == InboxFilter.FILED:
        return and_(received_condition(), col(Document.filed_at).is_not(None))
    return received_condition()


def count_unfiled(*, session: Session, user: SessionUser) -> int:
    """How many received documents wait to be filed (the agency home's to-do)."""
    require_staff(user)
    return session.exec(
        select(func.count()).select_from(Document).where(_filter_condition(InboxFilter.UNFILED))
    ).one()


def _sender_names(session: Session, documents: list[Document]) -> dict[int, str]:
    owner_ids = {d.owner_id for d in documents if d.owner_id}
    tenant_ids = {d.tenant_id for d in documents if d.tenant_id}
    owners = {
        o.id: o.full_name
        for o in session.exec(select(Owner).where(col(Owner.id).in_(owner_ids))).all()
    }
    tenants = {
        t.id: t.full_name
        for t in session.exec(select(Tenant).where(col(Tenant.id).in_(tenant_ids))).all()
    }
    names = {}
    for document in documents:
        if document.source == DocumentSource.OWNER:
            names[document.id] = "Propriétaire " + owners.get(document.owner_id, "?")
        else:
            names[document.id] = "Locataire " + tenants.get(document.tenant_id, "?")
    return names


def _line(document: Document, sender: str, attached_to: str) -> ReceivedLine:
    filed = document.filed_at is not None
    audience = audience_of(
        visible_to_tenants=document.visible_to_tenants,
        visible_to_owners=document.visible_to_owners,
    )
    return ReceivedLine(
        reference=document_reference(document.id),
        title=document.title,
        filename=document.original_filename,
        sender=sender,
        category_label=category_label(document.category),
        attached_to=attached_to,
        comment=document.comment,
        date=format_date(document.created_at.date()),
        size=format_size(document.size_bytes),
        filed=filed,
        status_label=f"Classé le {format_datetime(document.filed_at)}" if filed else "À classer",
        audience_label=AUDIENCE_LABELS[audience],
    )


def list_received(
    *,
    session: Session,
    user: SessionUser,
    status: InboxFilter = InboxFilter.UNFILED,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ReceivedPage:
    """One page of the inbox: documents to file first, then the newest."""
    require_staff(user)
    page = page if type(page) is int and page > 0 else 1
    page_size = min(max(1, int(page_size)), 100)
    where = _filter_condition(InboxFilter(status))
    total = session.exec(select(func.count()).select_from(Document).where(where)).one()
    page = min(page, page_count(total, page_size))
    documents = list(
        session.exec(
            select(Document)
            .where(where)
            .order_by(
                col(Document.filed_at).is_not(None),
                col(Document.created_at).desc(),
                col(Document.id).desc(),
            )
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
    )
    senders = _sender_names(session, documents)
    attached = describe_attachments(session=session, documents=documents)
    entries = [ReceivedEntry(d.id, _line(d, senders[d.id], attached[d.id])) for d in documents]
    return ReceivedPage(entries, total, page, page_size)


# --- Filing -------------------------------------------------------------------------------------


def _received(session: Session, document_id: object) -> Document:
    document = None
    if type(document_id) is int:
        document = session.exec(
            select(Document).where(Document.id == document_id, received_condition())
        ).first()
    if document is None:
        raise DocumentRejected("Document introuvable.")
    return document


def _lot_options(session: Session, lot_ids) -> list[FilingOption]:
    rows = session.exec(
        select(Lot, Property)
        .join(Property, Property.id == Lot.property_id)
        .where(col(Lot.id).in_(lot_ids))
        .order_by(Property.name, Lot.reference)
        .limit(MAX_FILING_OPTIONS)
    ).all()
    return [
        FilingOption(AttachmentKind.LOT, lot.id, f"Lot {building.name} — lot {lot.reference}")
        for lot, building in rows
    ]


def _lease_options(session: Session, lease_filter) -> list[FilingOption]:
    today = today_in_france()
    rows = session.exec(
        select(Lease, Lot, Property)
        .join(Lot, Lot.id == Lease.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(lease_filter)
        .order_by(ended_last(today), col(Lease.start_date).desc())
        .limit(MAX_FILING_OPTIONS)
    ).all()
    return [
        FilingOption(
            AttachmentKind.LEASE,
            lease.id,
            f"Bail {building.name} — lot {lot.reference} ({lease_period(lease, today)})",
        )
        for lease, lot, building in rows
    ]


def filing_options(*, session: Session, document: Document) -> list[FilingOption]:
    """The sender's own lots and leases: where their document may be filed."""
    if document.source == DocumentSource.OWNER and document.owner_id is not None:
        lots = select(Ownership.lot_id).where(Ownership.owner_id == document.owner_id)
        return _lot_options(session, lots) + _lease_options(session, col(Lease.lot_id).in_(lots))
    if document.tenant_id is not None:
        leases = select(LeaseTenant.lease_id).where(LeaseTenant.tenant_id == document.tenant_id)
        lots = select(Lease.lot_id).where(col(Lease.id).in_(leases))
        return _lease_options(session, col(Lease.id).in_(leases)) + _lot_options(session, lots)
    return []


def filing_audiences(document: Document) -> list[Audience]:
    """What may be chosen: a tenant's own document never reaches owners."""
    if document.tenant_id is not None:
        return [Audience.AGENCY, Audience.TENANTS]
    return [Audience.AGENCY, Audience.OWNERS, Audience.TENANTS, Audience.BOTH]


def _current_option(document: Document, options: list[FilingOption]) -> int:
    for position, option in enumerate(options):
        if option.kind == AttachmentKind.LEASE and option.target_id == document.lease_id:
            return position
    for position, option in enumerate(options):
        if (
            document.lease_id is None
            and option.kind == AttachmentKind.LOT
            and option.target_id == document.lot_id
        ):
            return position
    return -1


def filing_form(*, session: Session, user: SessionUser, document_id: int) -> FilingForm:
    """What the filing dialog shows for one received document."""
    require_staff(user)
    document = _received(session, document_id)
    options = filing_options(session=session, document=document)
    sender = _sender_names(session, [document])[document.id]
    return FilingForm(
        title=document.title,
        sender=sender,
        category=document.category,
        options=options,
        current_option=_current_option(document, options),
        audiences=filing_audiences(document),
        audience=audience_of(
            visible_to_tenants=document.visible_to_tenants,
            visible_to_owners=document.visible_to_owners,
        ),
    )


def _attachment_links(
    session: Session, document: Document, attachment: tuple[str, int] | None
) -> dict[str, int | None]:
    if attachment is None:
        return {"lot_id": None, "lease_id": None}
    allowed = {
        (option.kind.value, option.target_id)
        for option in filing_options(session=session, document=document)
    }
    if attachment not in allowed:
        raise DocumentRejected("Ce lot ou ce bail n'est pas celui de l'expéditeur.")
    kind, target_id = attachment
    if kind == AttachmentKind.LOT:
        return {"lot_id": target_id, "lease_id": None}
    lease = session.get(Lease, target_id)
    return {"lot_id": lease.lot_id, "lease_id": lease.id}


def file_document(
    *,
    session: Session,
    user: SessionUser,
    document_id: int,
    category: object,
    attachment: tuple[str, int] | None,
    audience: object,
    ip: str = "",
) -> None:
    """File a received document: category, lot or lease of the sender, audience (journaled)."""
    require_staff(user)
    document = _received(session, document_id)
    category = parse_category(category, FILING_CATEGORIES)
    chosen = parse_audience(audience, filing_audiences(document))
    links = _attachment_links(session, document, attachment)
    check_audience(
        {"tenant_id": document.tenant_id, "owner_id": document.owner_id, **links}, chosen
    )
    was_filed = document.filed_at is not None
    document.category = category
    document.lot_id, document.lease_id = links["lot_id"], links["lease_id"]
    document.visible_to_tenants, document.visible_to_owners = audience_flags(chosen)
    document.filed_at = utcnow()
    record_event(
        session=session,
        action="document.filed",
        actor_user_id=user.user_id,
        target_type="document",
        target_id=document.id,
        ip=ip,
        detail={
            "category": category,
            "audience": chosen.value,
            "lot_id": links["lot_id"],
            "lease_id": links["lease_id"],
            "again": was_filed,
        },
    )
    session.commit()
