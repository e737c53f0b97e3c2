"""Documents à fournir and Documents envoyés: what the agency asks a tenant or an owner to send,
and everything they sent.

A request belongs to a person (tenant_id / owner_id), or to the tenants of a lease or the owners
of a lot when no person is named. A pending request past its due date shows as "expiré": the
status is computed when read (no daily job to forget), and a late document is still accepted.
The agency's side (creating, reviewing, renewing) is in services/request_review.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_
from sqlmodel import Session, col, select, update

from extranet_app.models import (
    Document,
    DocumentRequest,
    DocumentRequestStatus,
    DocumentSource,
    Lease,
    LeaseTenant,
    Lot,
    Ownership,
    Property,
)
from extranet_app.models.base import utcnow
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space, require_writable
from extranet_app.services.documents import (
    category_label,
    document_reference,
    format_size,
    own_uploads,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_date
from extranet_app.services.paging import page_count
from extranet_app.services.uploads import MAX_FILES_PER_UPLOAD, CheckedFile, upload_batch

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Where a person answers a request (the e-mails link there).
REQUESTS_PATHS = {
    Space.TENANT: "/locataire/documents-a-fournir",
    Space.OWNER: "/proprietaire/documents-a-fournir",
}
STATUS_LABELS = {
    DocumentRequestStatus.PENDING: "À fournir",
    DocumentRequestStatus.SUBMITTED: "Envoyé",
    DocumentRequestStatus.ACCEPTED: "Accepté",
    DocumentRequestStatus.REFUSED: "Refusé",
    DocumentRequestStatus.EXPIRED: "Expiré",
}
# A document sent on the person's own initiative (Envoi de documents) has no request.
FILED = "classe"
SENT_WITHOUT_REQUEST_LABELS = {DocumentRequestStatus.SUBMITTED: "Envoyé", FILED: "Classé"}
# The person may send files while the request waits for them, or after a refusal.
SUBMITTABLE = (DocumentRequestStatus.PENDING, DocumentRequestStatus.REFUSED)
_SOURCES = {Space.TENANT: DocumentSource.TENANT, Space.OWNER: DocumentSource.OWNER}


class RequestError(Exception):
    """A request action that cannot be done as asked; the message is in French."""


@dataclass(frozen=True)
class SentFile:
    """One file sent for a request, downloadable through its opaque reference."""

    reference: str
    filename: str
    size: str
    date: str


@dataclass(frozen=True)
class RequestCard:
    """A request as the person sees it: no database id."""

    title: str
    description: str
    category_label: str
    place: str
    status: str
    status_label: str
    due_date: str
    overdue: bool
    refusal_reason: str
    valid_until: str
    submitted: str
    files: list[SentFile]
    can_submit: bool


@dataclass(frozen=True)
class RequestListing:
    """A card and the id behind it, which stays on the server."""

    request_id: int
    card: RequestCard


@dataclass(frozen=True)
class RequestPage:
    """One page of the person's requests."""

    listings: list[RequestListing]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


@dataclass(frozen=True)
class SentDocument:
    """A file the person sent, with what became of it."""

    reference: str
    title: str
    filename: str
    size: str
    date: str
    status: str
    status_label: str
    refusal_reason: str


@dataclass(frozen=True)
class SentPage:
    """One page of Documents envoyés."""

    documents: list[SentDocument]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


# --- Status ------------------------------------------------------------------------------------


def effective_status(status: str, due_date: date | None, today: date) -> str:
    """The status shown: a request still waiting after its due date is "expiré"."""
    if status == DocumentRequestStatus.PENDING and due_date is not None and due_date < today:
        return DocumentRequestStatus.EXPIRED
    return status


def effective_status_sql(today: date) -> ColumnElement[str]:
    """effective_status() as a SQL expression, to filter and count in the database."""
    overdue = and_(
        col(DocumentRequest.status) == DocumentRequestStatus.PENDING,
        col(DocumentRequest.due_date) < today,
    )
    return case((overdue, DocumentRequestStatus.EXPIRED.value), else_=DocumentRequest.status)


def status_label(status: str) -> str:
    """The French word for a status."""
    return STATUS_LABELS.get(status, status)


def place_label(lot: Lot | None, building: Property | None) -> str:
    """ "Résidence Bellecour — lot A12", or "" when the request names no lot."""
    if lot is None or building is None:
        return ""
    return f"{building.name} — lot {lot.reference}"


# --- Who sees which request --------------------------------------------------------------------


def _current_leases_of(tenant_ids: list[int], today: date):
    return (
        select(LeaseTenant.lease_id)
        .join(Lease, col(Lease.id) == LeaseTenant.lease_id)
        .where(col(LeaseTenant.tenant_id).in_(tenant_ids))
        .where(col(Lease.start_date) <= today)
        .where(or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= today))
    )


def tenant_requests(user: SessionUser, today: date) -> ColumnElement[bool]:
    """Requests to the user as a tenant: addressed to them, or to the tenants of a lease they
    hold today (a request naming a co-tenant stays that co-tenant's)."""
    tenant_ids = list(user.tenant_ids)
    if not tenant_ids:
        return false()
    return or_(
        col(DocumentRequest.tenant_id).in_(tenant_ids),
        and_(
            col(DocumentRequest.tenant_id).is_(None),
            col(DocumentRequest.owner_id).is_(None),
            col(DocumentRequest.lease_id).in_(_current_leases_of(tenant_ids, today)),
        ),
    )


def owner_requests(user: SessionUser) -> ColumnElement[bool]:
    """Requests to the user as an owner: addressed to them, or to the owners of one of their lots
    (never a request made to the tenants of that lot)."""
    owner_ids = list(user.owner_ids)
    if not owner_ids:
        return false()
    my_lots = select(Ownership.lot_id).where(col(Ownership.owner_id).in_(owner_ids))
    return or_(
        col(DocumentRequest.owner_id).in_(owner_ids),
        and_(
            col(DocumentRequest.owner_id).is_(None),
            col(DocumentRequest.tenant_id).is_(None),
            col(DocumentRequest.lease_id).is_(None),
            col(DocumentRequest.lot_id).in_(my_lots),
        ),
    )


def request_visibility(*, user: SessionUser, space: Space, today: date) -> ColumnElement[bool]:
    """The one rule deciding which requests `user` sees and may answer in `space`."""
    if space == Space.TENANT:
        return tenant_requests(user, today)
    if space == Space.OWNER:
        return owner_requests(user)
    return false()


# --- Documents à fournir -----------------------------------------------------------------------


def _with_place(statement):
    """Join the lot (named directly, or through the lease) and its building."""
    lot_id = func.coalesce(DocumentRequest.lot_id, Lease.lot_id)
    return (
        statement.outerjoin(Lease, col(Lease.id) == DocumentRequest.lease_id)
        .outerjoin(Lot, col(Lot.id) == lot_id)
        .outerjoin(Property, col(Property.id) == Lot.property_id)
    )


def _person_order():
    # What the person must act on first, then what the agency is checking, by due date; then
    # the decided ones, newest first.
    waiting = (*SUBMITTABLE, DocumentRequestStatus.SUBMITTED)
    rank = case(
        (col(DocumentRequest.status).in_(SUBMITTABLE), 0),
        (col(DocumentRequest.status) == DocumentRequestStatus.SUBMITTED, 1),
        else_=2,
    )
    due = case((col(DocumentRequest.status).in_(waiting), DocumentRequest.due_date), else_=None)
    return (rank, due.is_(None), due, col(DocumentRequest.id).desc())


def _checked_page(page: int, page_size: int) -> tuple[int, int]:
    if not isinstance(page, int) or isinstance(page, bool):
        page = 1
    return max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)


def list_requests(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    today: date,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> RequestPage:
    """One page of the requests `user` sees in `space`, those to act on first."""
    page, page_size = _checked_page(page, page_size)
    where = request_visibility(user=user, space=space, today=today)
    total = session.exec(select(func.count()).select_from(DocumentRequest).where(where)).one()
    rows = session.exec(
        _with_place(select(DocumentRequest, Lot, Property))
        .where(where)
        .order_by(*_person_order())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    files = latest_files(
        session=session,
        requests=[request for request, _, _ in rows],
        condition=own_uploads(user, space),
    )
    listings = [
        RequestListing(request.id, _card(request, place_label(lot, building), files, today))
        for request, lot, building in rows
    ]
    return RequestPage(listings, total, page, page_size)


def latest_files(
    *,
    session: Session,
    requests: Sequence[DocumentRequest],
    condition: ColumnElement[bool],
) -> dict[int, list[SentFile]]:
    """The files of each request's latest sending (those matching `condition`), by request id."""
    sent_at = {request.id: request.submitted_at for request in requests if request.submitted_at}
    if not sent_at:
        return {}
    documents = session.exec(
        select(Document)
        .where(col(Document.document_request_id).in_(list(sent_at)), condition)
        .order_by(col(Document.id))
    ).all()
    files: dict[int, list[SentFile]] = {}
    for document in documents:
        # Files of an earlier, refused sending stay listed in Documents envoyés only.
        if document.created_at >= sent_at[document.document_request_id]:
            files.setdefault(document.document_request_id, []).append(_sent_file(document))
    return files


def _sent_file(document: Document) -> SentFile:
    return SentFile(
        reference=document_reference(document.id),
        filename=document.original_filename,
        size=format_size(document.size_bytes),
        date=format_date(document.created_at.date()),
    )


def _card(
    request: DocumentRequest, place: str, files: dict[int, list[SentFile]], today: date
) -> RequestCard:
    status = effective_status(request.status, request.due_date, today)
    return RequestCard(
        title=request.title,
        description=request.description,
        category_label=category_label(request.category),
        place=place,
        status=status,
        status_label=status_label(status),
        due_date=format_date(request.due_date) if request.due_date else "",
        overdue=status == DocumentRequestStatus.EXPIRED,
        refusal_reason=(
            request.refusal_reason if request.status == DocumentRequestStatus.REFUSED else ""
        ),
        valid_until=format_date(request.valid_until) if request.valid_until else "",
        submitted=format_date(request.submitted_at.date()) if request.submitted_at else "",
        files=files.get(request.id, []),
        can_submit=request.status in SUBMITTABLE,
    )


def count_to_provide(*, session: Session, user: SessionUser, space: Space, today: date) -> int:
    """How many requests wait for the person (to send, or to send again after a refusal)."""
    return session.exec(
        select(func.count())
        .select_from(DocumentRequest)
        .where(request_visibility(user=user, space=space, today=today))
        .where(col(DocumentRequest.status).in_(SUBMITTABLE))
    ).one()


# --- Sending files -----------------------------------------------------------------------------


def _audit_refused_submission(
    session: Session, user: SessionUser, space: Space, request_id: object, ip: str
) -> None:
    record_event(
        session=session,
        action="document_request.submit",
        actor_user_id=user.previewed_by_user_id or user.user_id,
        target_type="document_request",
        target_id=request_id if type(request_id) is int else None,
        allowed=False,
        ip=ip,
        detail={"space": space.value, "requested": str(request_id)[:64]},
    )
    session.commit()


def _sender_link(
    session: Session, user: SessionUser, space: Space, request: DocumentRequest
) -> dict[str, int]:
    """The person the files come from (the one the request names, else the user's profile on
    the request's lease or lot)."""
    if space == Space.TENANT:
        if request.tenant_id in user.tenant_ids:
            return {"tenant_id": request.tenant_id}
        tenant_id = session.exec(
            select(LeaseTenant.tenant_id).where(
                LeaseTenant.lease_id == request.lease_id,
                col(LeaseTenant.tenant_id).in_(list(user.tenant_ids)),
            )
        ).first()
        return {"tenant_id": tenant_id}
    if request.owner_id in user.owner_ids:
        return {"owner_id": request.owner_id}
    owner_id = session.exec(
        select(Ownership.owner_id).where(
            Ownership.lot_id == request.lot_id, col(Ownership.owner_id).in_(list(user.owner_ids))
        )
    ).first()
    return {"owner_id": owner_id}


def _find_own_request(
    session: Session, user: SessionUser, space: Space, request_id: object, today: date
) -> DocumentRequest | None:
    if type(request_id) is not int or space not in _SOURCES:
        return None
    return session.exec(
        select(DocumentRequest).where(
            DocumentRequest.id == request_id,
            request_visibility(user=user, space=space, today=today),
        )
    ).first()


def submit_files(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    request_id: int,
    files: Sequence[CheckedFile],
    today: date,
    ip: str = "",
    now: datetime | None = None,
) -> int:
    """Store the checked files as the answer to one of the user's requests (commits); how many.

    Only the user's own request, while it waits for them; anything else is refused (AccessDenied,
    audited). The agency sees the request in its list of documents to check (no e-mail per file).
    """
    require_writable(user, session=session)
    request = _find_own_request(session, user, space, request_id, today)
    if request is None:
        _audit_refused_submission(session, user, space, request_id, ip)
        raise AccessDenied
    if request.status not in SUBMITTABLE:
        raise RequestError("Ce document a déjà été envoyé : l'agence l'examine ou l'a accepté.")
    if not files or len(files) > MAX_FILES_PER_UPLOAD:
        raise RequestError(f"Choisissez entre 1 et {MAX_FILES_PER_UPLOAD} fichiers.")
    now = now or utcnow()
    sender = _sender_link(session, user, space, request)
    with upload_batch(session) as batch:
        for checked in files:
            batch.save(
                checked,
                document_request_id=request.id,
                lease_id=request.lease_id,
                lot_id=request.lot_id,
                category=request.category,
                source=_SOURCES[space],
                title=request.title,
                uploaded_by_id=user.user_id,
                created_at=now,
                **sender,
            )
        _mark_submitted(session, request.id, now)
        record_event(
            session=session,
            action="document_request.submitted",
            actor_user_id=user.user_id,
            target_type="document_request",
            target_id=request.id,
            ip=ip,
            detail={"space": space.value, "files": len(files)},
        )
        session.commit()
    return len(files)


def _mark_submitted(session: Session, request_id: int, now: datetime) -> None:
    # Conditional: of two sendings at the same moment (two tabs), one wins; the other's files
    # are removed again by the upload batch.
    changed = session.exec(
        update(DocumentRequest)
        .where(
            col(DocumentRequest.id) == request_id,
            col(DocumentRequest.status).in_(SUBMITTABLE),
        )
        .values(status=DocumentRequestStatus.SUBMITTED, submitted_at=now)
    ).rowcount
    if changed != 1:
        raise RequestError("Ce document vient déjà d'être envoyé.")


# --- Documents envoyés -------------------------------------------------------------------------


def list_sent_documents(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    today: date,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SentPage:
    """One page of everything the user sent in `space`, newest first, with its status."""
    page, page_size = _checked_page(page, page_size)
    where = own_uploads(user, space)
    total = session.exec(select(func.count()).select_from(Document).where(where)).one()
    rows = session.exec(
        select(Document, DocumentRequest)
        .outerjoin(DocumentRequest, col(DocumentRequest.id) == Document.document_request_id)
        .where(where)
        .order_by(col(Document.created_at).desc(), col(Document.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    documents = [_sent_document(document, request, today) for document, request in rows]
    return SentPage(documents, total, page, page_size)


def _sent_status(document: Document, request: DocumentRequest | None, today: date) -> str:
    if request is None:
        return FILED if document.filed_at else DocumentRequestStatus.SUBMITTED
    # A new sending is only possible after a refusal: files older than the latest sending
    # are the refused ones.
    if request.submitted_at and document.created_at < request.submitted_at:
        return DocumentRequestStatus.REFUSED
    return effective_status(request.status, request.due_date, today)


def _sent_document(
    document: Document, request: DocumentRequest | None, today: date
) -> SentDocument:
    status = _sent_status(document, request, today)
    current_refusal = request is not None and request.status == DocumentRequestStatus.REFUSED
    label = (
        SENT_WITHOUT_REQUEST_LABELS.get(status, status) if request is None else status_label(status)
    )
    return SentDocument(
        reference=document_reference(document.id),
        title=document.title,
        filename=document.original_filename,
        size=format_size(document.size_bytes),
        date=format_date(document.created_at.date()),
        status=status,
        status_label=label,
        refusal_reason=request.refusal_reason if current_refusal else "",
    )
