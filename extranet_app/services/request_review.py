"""The agency's side of documents à fournir: ask, check what was sent, accept or refuse, renew.

Requests go to one tenant or owner, or to every current tenant of a building (one request each,
in one batch). Accepting or refusing tells the person by e-mail through the centre d'envoi,
unless they turned notifications off. A yearly request (attestation d'assurance habitation)
comes back by itself RENEWAL_NOTICE_DAYS before the accepted certificate ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select, update

from extranet_app.email.messages import EmailContent
from extranet_app.email.requests import (
    build_request_accepted_email,
    build_request_created_email,
    build_request_refused_email,
)
from extranet_app.models import (
    Document,
    DocumentCategory,
    DocumentRequest,
    DocumentRequestStatus,
    Lease,
    LeaseTenant,
    Lot,
    Owner,
    Ownership,
    Property,
    Tenant,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.services.agency import AgencyIdentity, get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space, require_staff
from extranet_app.services.document_requests import (
    REQUESTS_PATHS,
    RequestError,
    SentFile,
    effective_status,
    effective_status_sql,
    latest_files,
    place_label,
    status_label,
)
from extranet_app.services.documents import category_label
from extranet_app.services.formatting import format_date
from extranet_app.services.outbox import EmailKind, EmailToQueue, queue_emails
from extranet_app.services.paging import page_count
from extranet_app.services.spaces import tenant_names_by_lease
from extranet_app.settings import get_settings

RENEWAL_NOTICE_DAYS = 30
# A renewal found late (the certificate ends within days, or has ended) still leaves this long.
LATE_RENEWAL_DAYS = 15
PAGE_SIZE = 25
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 1000
MAX_REASON_LENGTH = 500
MAX_SEARCH_LENGTH = 100
MAX_SEARCH_WORDS = 5
# The agency asks for a document within a year at most; a certificate lasts a few years at most.
MAX_DUE_DAYS = 366
MAX_VALIDITY_DAYS = 3 * 366
ALL_STATUSES = "toutes"
STATUS_FILTERS = (
    DocumentRequestStatus.SUBMITTED,
    DocumentRequestStatus.PENDING,
    DocumentRequestStatus.REFUSED,
    DocumentRequestStatus.ACCEPTED,
    DocumentRequestStatus.EXPIRED,
)
# What a request may ask for: the categories a person sends (not what the agency produces).
REQUESTABLE_CATEGORIES = (
    DocumentCategory.INSURANCE,
    DocumentCategory.IDENTITY,
    DocumentCategory.BANK_DETAILS,
    DocumentCategory.CERTIFICATE,
    DocumentCategory.TAX,
    DocumentCategory.DIAGNOSTIC,
    DocumentCategory.INVOICE,
    DocumentCategory.PHOTO,
    DocumentCategory.OTHER,
)
_YEAR_SUFFIX = re.compile(r"\s+\d{4}(\s*[-–/]\s*\d{4})?$")


class TargetKind(StrEnum):
    """Who a new request goes to."""

    TENANT = "locataire"
    OWNER = "proprietaire"
    BUILDING = "immeuble"


TARGET_LABELS = {
    TargetKind.TENANT: "Locataire",
    TargetKind.OWNER: "Propriétaire",
    TargetKind.BUILDING: "Immeuble",
}


@dataclass(frozen=True)
class RequestTarget:
    """A person or a building a request is made for (server side only: it holds an id)."""

    kind: TargetKind
    target_id: int


@dataclass(frozen=True)
class TargetChoice:
    """A search result as the agency sees it."""

    kind_label: str
    name: str
    detail: str


@dataclass(frozen=True)
class TargetMatch:
    target: RequestTarget
    choice: TargetChoice


@dataclass(frozen=True)
class RequestForm:
    """What the agency typed in the form, before it is checked."""

    category: str
    title: str
    description: str
    due_date: date | None
    renews_yearly: bool


@dataclass(frozen=True)
class AgencyRequestRow:
    """A line of the agency's list (no database id)."""

    person: str
    person_kind: str
    place: str
    title: str
    category_label: str
    status: str
    status_label: str
    due_date: str
    submitted: str


@dataclass(frozen=True)
class AgencyRequestListing:
    request_id: int
    row: AgencyRequestRow


@dataclass(frozen=True)
class AgencyRequestPage:
    """One page of the agency's list, with the count of each status for the tabs."""

    listings: list[AgencyRequestListing]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


@dataclass(frozen=True)
class RequestReview:
    """One request as the review dialog shows it, with the files of the latest sending."""

    title: str
    person: str
    person_kind: str
    place: str
    category_label: str
    description: str
    status: str
    status_label: str
    due_date: str
    submitted: str
    refusal_reason: str
    valid_until: str
    needs_valid_until: bool
    can_review: bool
    files: list[SentFile]


# --- Finding who to ask ------------------------------------------------------------------------


def _words(text: object) -> list[str]:
    if not isinstance(text, str):
        return []
    return text.strip()[:MAX_SEARCH_LENGTH].lower().split()[:MAX_SEARCH_WORDS]


def _matches_every_word(words: list[str], *columns) -> ColumnElement[bool]:
    return and_(
        true(),
        *(or_(*(col(c).icontains(word, autoescape=True) for c in columns)) for word in words),
    )


def _current_lease_condition(today: date) -> ColumnElement[bool]:
    return and_(
        col(Lease.start_date) <= today,
        or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= today),
    )


def search_targets(
    *, session: Session, actor: SessionUser, text: str, today: date, limit: int = 8
) -> list[TargetMatch]:
    """Tenants, owners and buildings whose name (or e-mail, or address) has every word typed."""
    require_staff(actor)
    words = _words(text)
    if not words:
        return []
    return [
        *_matching_tenants(session, words, today, limit),
        *_matching_owners(session, words, limit),
        *_matching_buildings(session, words, today, limit),
    ]


def _person_columns(person: type[Tenant] | type[Owner]) -> tuple:
    return (person.last_name, person.first_name, person.company_name, person.email)


def _matching_tenants(
    session: Session, words: list[str], today: date, limit: int
) -> list[TargetMatch]:
    tenants = session.exec(
        select(Tenant)
        .where(_matches_every_word(words, *_person_columns(Tenant)))
        .order_by(col(Tenant.last_name), col(Tenant.id))
        .limit(limit)
    ).all()
    places = _tenant_places(session, [tenant.id for tenant in tenants], today)
    return [
        TargetMatch(
            RequestTarget(TargetKind.TENANT, tenant.id),
            TargetChoice(
                TARGET_LABELS[TargetKind.TENANT],
                tenant.full_name,
                places.get(tenant.id, "Aucun bail en cours"),
            ),
        )
        for tenant in tenants
    ]


def _tenant_places(session: Session, tenant_ids: list[int], today: date) -> dict[int, str]:
    rows = session.exec(
        select(LeaseTenant.tenant_id, Lot, Property)
        .join(Lease, col(Lease.id) == LeaseTenant.lease_id)
        .join(Lot, col(Lot.id) == Lease.lot_id)
        .join(Property, col(Property.id) == Lot.property_id)
        .where(col(LeaseTenant.tenant_id).in_(tenant_ids), _current_lease_condition(today))
        .order_by(col(Property.name), col(Lot.reference))
    ).all()
    places: dict[int, list[str]] = {}
    for tenant_id, lot, building in rows:
        places.setdefault(tenant_id, []).append(place_label(lot, building))
    return {tenant_id: ", ".join(labels) for tenant_id, labels in places.items()}


def _matching_owners(session: Session, words: list[str], limit: int) -> list[TargetMatch]:
    owners = session.exec(
        select(Owner)
        .where(_matches_every_word(words, *_person_columns(Owner)))
        .order_by(col(Owner.last_name), col(Owner.id))
        .limit(limit)
    ).all()
    lots = dict(
        session.exec(
            select(Ownership.owner_id, func.count())
            .where(col(Ownership.owner_id).in_([owner.id for owner in owners]))
            .group_by(Ownership.owner_id)
        ).all()
    )
    return [
        TargetMatch(
            RequestTarget(TargetKind.OWNER, owner.id),
            TargetChoice(
                TARGET_LABELS[TargetKind.OWNER],
                owner.full_name,
                _plural(lots.get(owner.id, 0), "lot"),
            ),
        )
        for owner in owners
    ]


def _matching_buildings(
    session: Session, words: list[str], today: date, limit: int
) -> list[TargetMatch]:
    columns = (Property.name, Property.address_line1, Property.city)
    buildings = session.exec(
        select(Property)
        .where(_matches_every_word(words, *columns))
        .order_by(col(Property.name), col(Property.id))
        .limit(limit)
    ).all()
    tenants = _current_tenants_by_building(session, [building.id for building in buildings], today)
    return [
        TargetMatch(
            RequestTarget(TargetKind.BUILDING, building.id),
            TargetChoice(
                TARGET_LABELS[TargetKind.BUILDING],
                building.name,
                f"{building.city} · {_plural(len(tenants.get(building.id, [])), 'locataire')} "
                "en place",
            ),
        )
        for building in buildings
    ]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _current_tenants_by_building(
    session: Session, building_ids: list[int], today: date
) -> dict[int, list[tuple[int, int]]]:
    """(tenant id, lease id) of every current lease of each building."""
    rows = session.exec(
        select(Lot.property_id, LeaseTenant.tenant_id, Lease.id)
        .join(Lease, col(Lease.lot_id) == Lot.id)
        .join(LeaseTenant, col(LeaseTenant.lease_id) == Lease.id)
        .where(col(Lot.property_id).in_(building_ids), _current_lease_condition(today))
        .order_by(col(Lease.id), col(LeaseTenant.tenant_id))
    ).all()
    found: dict[int, list[tuple[int, int]]] = {}
    for building_id, tenant_id, lease_id in rows:
        found.setdefault(building_id, []).append((tenant_id, lease_id))
    return found


# --- Asking ------------------------------------------------------------------------------------


def _checked_form(form: RequestForm, today: date) -> RequestForm:
    title = form.title.strip() if isinstance(form.title, str) else ""
    description = form.description.strip() if isinstance(form.description, str) else ""
    if form.category not in REQUESTABLE_CATEGORIES:
        raise RequestError("Choisissez le type de document demandé.")
    if not 3 <= len(title) <= MAX_TITLE_LENGTH:
        raise RequestError(f"Le titre doit faire entre 3 et {MAX_TITLE_LENGTH} caractères.")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise RequestError(f"La description fait {MAX_DESCRIPTION_LENGTH} caractères au plus.")
    if not isinstance(form.due_date, date):
        raise RequestError("Indiquez la date limite d'envoi.")
    if not today <= form.due_date <= today + timedelta(days=MAX_DUE_DAYS):
        raise RequestError("La date limite doit être comprise entre aujourd'hui et un an.")
    return RequestForm(form.category, title, description, form.due_date, form.renews_yearly is True)


def create_requests(
    *,
    session: Session,
    actor: SessionUser,
    target: RequestTarget,
    form: RequestForm,
    today: date,
) -> int:
    """Ask a person, or every current tenant of a building, for a document (commits); how many
    requests were made. Each person is told by e-mail unless they opted out."""
    require_staff(actor)
    checked = _checked_form(form, today)
    links = _target_links(session, target, today)
    requests = [
        DocumentRequest(
            **link,
            category=checked.category,
            title=checked.title,
            description=checked.description,
            due_date=checked.due_date,
            renews_yearly=checked.renews_yearly,
            created_by_id=actor.user_id,
        )
        for link in links
    ]
    session.add_all(requests)
    session.flush()
    _notify(session, requests, _created_email)
    record_event(
        session=session,
        action="document_request.created",
        actor_user_id=actor.user_id,
        target_type=target.kind.value,
        target_id=target.target_id,
        detail={"title": checked.title, "requests": len(requests)},
    )
    session.commit()
    return len(requests)


def _target_links(session: Session, target: RequestTarget, today: date) -> list[dict[str, int]]:
    """What each new request is attached to; refuses a target that does not exist."""
    if not isinstance(target, RequestTarget) or type(target.target_id) is not int:
        raise RequestError("Choisissez à qui demander le document.")
    if target.kind == TargetKind.TENANT and session.get(Tenant, target.target_id):
        return [_tenant_link(session, target.target_id, today)]
    if target.kind == TargetKind.OWNER and session.get(Owner, target.target_id):
        return [{"owner_id": target.target_id}]
    if target.kind == TargetKind.BUILDING and session.get(Property, target.target_id):
        pairs = _current_tenants_by_building(session, [target.target_id], today)
        if not pairs.get(target.target_id):
            raise RequestError("Cet immeuble n'a aucun locataire en place.")
        return [
            {"tenant_id": tenant_id, "lease_id": lease_id}
            for tenant_id, lease_id in dict.fromkeys(pairs[target.target_id])
        ]
    raise RequestError("Destinataire introuvable.")


def _tenant_link(session: Session, tenant_id: int, today: date) -> dict[str, int]:
    """The tenant, with their lease when they hold exactly one today (its lot is shown)."""
    leases = session.exec(
        select(Lease.id)
        .join(LeaseTenant, col(LeaseTenant.lease_id) == Lease.id)
        .where(LeaseTenant.tenant_id == tenant_id, _current_lease_condition(today))
    ).all()
    return {"tenant_id": tenant_id} | ({"lease_id": leases[0]} if len(leases) == 1 else {})


# --- Telling the person ------------------------------------------------------------------------

EmailBuilder = Callable[[AgencyIdentity, str, DocumentRequest, Space], EmailContent]


@dataclass(frozen=True)
class _Recipient:
    user_id: int
    email: str
    name: str
    space: Space


def _link_url(space: Space) -> str:
    return get_settings().public_url.rstrip("/") + REQUESTS_PATHS[space]


def _created_email(
    agency: AgencyIdentity,
    name: str,
    request: DocumentRequest,
    space: Space,
    previous_valid_until: date | None = None,
) -> EmailContent:
    return build_request_created_email(
        agency=agency,
        to_name=name,
        title=request.title,
        description=request.description,
        due_date=request.due_date,
        link_url=_link_url(space),
        previous_valid_until=previous_valid_until,
    )


def _notify(session: Session, requests: Sequence[DocumentRequest], build: EmailBuilder) -> int:
    """Queue one e-mail per person concerned by each request (opted-out people excepted)."""
    agency = get_agency_identity(session=session)
    recipients = _recipients(session, requests)
    emails = [
        EmailToQueue(
            kind=EmailKind.NOTIFICATION,
            to_address=recipient.email,
            to_name=recipient.name,
            message=build(agency, recipient.name, request, recipient.space),
            user_id=recipient.user_id,
            # The staff member's own decision, with no secret in it: no second review needed.
            send_without_review=True,
        )
        for request in requests
        for recipient in recipients.get(request.id, [])
    ]
    return queue_emails(session=session, emails=emails)


def _reachable(user: type[User]) -> ColumnElement[bool]:
    """Active accounts that were activated and did not turn notifications off."""
    return and_(
        col(user.is_active).is_(True),
        col(user.email_notifications).is_(True),
        col(user.password_hash).is_not(None),
    )


def _recipients(
    session: Session, requests: Sequence[DocumentRequest]
) -> dict[int, list[_Recipient]]:
    """Who hears about each request: the person it names, else the lease's tenants or the lot's
    owners (four queries whatever the number of requests)."""
    by_tenant = _grouped(requests, "tenant_id", lambda r: True)
    by_owner = _grouped(requests, "owner_id", lambda r: r.tenant_id is None)
    by_lease = _grouped(requests, "lease_id", lambda r: r.tenant_id is None and not r.owner_id)
    by_lot = _grouped(requests, "lot_id", lambda r: not (r.tenant_id or r.owner_id or r.lease_id))
    found: dict[int, list[_Recipient]] = {}
    queries = (
        (by_tenant, select(Tenant.id, Tenant, User).join(User, col(User.id) == Tenant.user_id)),
        (by_owner, select(Owner.id, Owner, User).join(User, col(User.id) == Owner.user_id)),
        (
            by_lease,
            select(LeaseTenant.lease_id, Tenant, User)
            .join(Tenant, col(Tenant.id) == LeaseTenant.tenant_id)
            .join(User, col(User.id) == Tenant.user_id),
        ),
        (
            by_lot,
            select(Ownership.lot_id, Owner, User)
            .join(Owner, col(Owner.id) == Ownership.owner_id)
            .join(User, col(User.id) == Owner.user_id),
        ),
    )
    for grouped, statement in queries:
        if not grouped:
            continue
        key = statement.selected_columns[0]
        rows = session.exec(statement.where(key.in_(list(grouped)), _reachable(User))).all()
        for key_value, person, user in rows:
            space = Space.TENANT if isinstance(person, Tenant) else Space.OWNER
            recipient = _Recipient(user.id, user.email, person.full_name, space)
            for request_id in grouped[key_value]:
                found.setdefault(request_id, []).append(recipient)
    return found


def _grouped(requests, field: str, applies) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for request in requests:
        value = getattr(request, field)
        if value is not None and applies(request):
            grouped.setdefault(value, []).append(request.id)
    return grouped


# --- The agency's list -------------------------------------------------------------------------


def _status_condition(status: str, today: date) -> ColumnElement[bool]:
    if status == ALL_STATUSES:
        return true()
    return effective_status_sql(today) == status


def _search_condition(text: str) -> ColumnElement[bool]:
    words = _words(text)
    if not words:
        return true()
    lease_tenants = (
        select(LeaseTenant.lease_id)
        .join(Tenant, col(Tenant.id) == LeaseTenant.tenant_id)
        .where(_matches_every_word(words, *_person_columns(Tenant)))
    )
    columns = (
        *_person_columns(Tenant),
        *_person_columns(Owner),
        Property.name,
        Lot.reference,
        DocumentRequest.title,
    )
    return or_(
        _matches_every_word(words, *columns),
        and_(
            col(DocumentRequest.tenant_id).is_(None),
            col(DocumentRequest.lease_id).in_(lease_tenants),
        ),
    )


def _joined(statement):
    lot_id = func.coalesce(DocumentRequest.lot_id, Lease.lot_id)
    return (
        statement.outerjoin(Tenant, col(Tenant.id) == DocumentRequest.tenant_id)
        .outerjoin(Owner, col(Owner.id) == DocumentRequest.owner_id)
        .outerjoin(Lease, col(Lease.id) == DocumentRequest.lease_id)
        .outerjoin(Lot, col(Lot.id) == lot_id)
        .outerjoin(Property, col(Property.id) == Lot.property_id)
    )


def _agency_order(status: str):
    if status == DocumentRequestStatus.SUBMITTED:  # first come, first checked
        return (col(DocumentRequest.submitted_at), col(DocumentRequest.id))
    if status in (DocumentRequestStatus.PENDING, DocumentRequestStatus.EXPIRED):
        return (col(DocumentRequest.due_date), col(DocumentRequest.id))
    return (col(DocumentRequest.id).desc(),)


def list_agency_requests(
    *,
    session: Session,
    actor: SessionUser,
    today: date,
    status: str = DocumentRequestStatus.SUBMITTED,
    search: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AgencyRequestPage:
    """One page of every request in a status (by default: sent, to check), searched by person,
    building, lot or title."""
    require_staff(actor)
    if status != ALL_STATUSES and status not in STATUS_FILTERS:
        status = DocumentRequestStatus.SUBMITTED
    page = page if type(page) is int and page > 0 else 1
    where = and_(_status_condition(status, today), _search_condition(search))
    total = session.exec(
        _joined(select(func.count()).select_from(DocumentRequest)).where(where)
    ).one()
    rows = session.exec(
        _joined(select(DocumentRequest, Tenant, Owner, Lot, Property))
        .where(where)
        .order_by(*_agency_order(status))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    names = _lease_names(session, [row[0] for row in rows])
    listings = [
        AgencyRequestListing(
            request.id, _agency_row(request, tenant, owner, lot, building, names, today)
        )
        for request, tenant, owner, lot, building in rows
    ]
    counts = count_by_status(session=session, actor=actor, today=today)
    return AgencyRequestPage(listings, total, page, page_size, counts)


def _lease_names(session: Session, requests: Sequence[DocumentRequest]) -> dict[int, list[str]]:
    lease_ids = [r.lease_id for r in requests if r.tenant_id is None and r.lease_id is not None]
    return tenant_names_by_lease(session=session, lease_ids=lease_ids) if lease_ids else {}


def _person(
    request: DocumentRequest,
    tenant: Tenant | None,
    owner: Owner | None,
    lease_names: dict[int, list[str]],
) -> tuple[str, str]:
    if tenant is not None:
        return tenant.full_name, TARGET_LABELS[TargetKind.TENANT]
    if owner is not None:
        return owner.full_name, TARGET_LABELS[TargetKind.OWNER]
    if request.lease_id is not None:
        return ", ".join(lease_names.get(request.lease_id, [])), "Locataires du bail"
    return "Propriétaires du lot", TARGET_LABELS[TargetKind.OWNER]


def _agency_row(
    request: DocumentRequest,
    tenant: Tenant | None,
    owner: Owner | None,
    lot: Lot | None,
    building: Property | None,
    lease_names: dict[int, list[str]],
    today: date,
) -> AgencyRequestRow:
    person, kind = _person(request, tenant, owner, lease_names)
    status = effective_status(request.status, request.due_date, today)
    return AgencyRequestRow(
        person=person,
        person_kind=kind,
        place=place_label(lot, building),
        title=request.title,
        category_label=category_label(request.category),
        status=status,
        status_label=status_label(status),
        due_date=format_date(request.due_date) if request.due_date else "",
        submitted=format_date(request.submitted_at.date()) if request.submitted_at else "",
    )


def count_by_status(*, session: Session, actor: SessionUser, today: date) -> dict[str, int]:
    """How many requests are in each status as shown (zero included), for the tabs."""
    require_staff(actor)
    shown = effective_status_sql(today).label("shown")
    counts = dict.fromkeys([status.value for status in STATUS_FILTERS], 0)
    for status, count in session.exec(select(shown, func.count()).group_by(shown)).all():
        counts[status] = count
    counts[ALL_STATUSES] = sum(counts.values())
    return counts


def count_requests_to_review(*, session: Session, actor: SessionUser) -> int:
    """How many sent documents wait for the agency to check them (the home page's to-do)."""
    require_staff(actor)
    return session.exec(
        select(func.count())
        .select_from(DocumentRequest)
        .where(DocumentRequest.status == DocumentRequestStatus.SUBMITTED)
    ).one()


# --- Checking what was sent --------------------------------------------------------------------


def _needs_valid_until(request: DocumentRequest) -> bool:
    return request.renews_yearly or request.category == DocumentCategory.INSURANCE


def review_request(
    *, session: Session, actor: SessionUser, request_id: int, today: date
) -> RequestReview | None:
    """One request with the files of its latest sending, for the review dialog; None if absent."""
    require_staff(actor)
    if type(request_id) is not int:
        return None
    row = session.exec(
        _joined(select(DocumentRequest, Tenant, Owner, Lot, Property)).where(
            DocumentRequest.id == request_id
        )
    ).first()
    if row is None:
        return None
    request, tenant, owner, lot, building = row
    line = _agency_row(
        request, tenant, owner, lot, building, _lease_names(session, [request]), today
    )
    files = latest_files(session=session, requests=[request], condition=true())
    return RequestReview(
        title=request.title,
        person=line.person,
        person_kind=line.person_kind,
        place=line.place,
        category_label=line.category_label,
        description=request.description,
        status=line.status,
        status_label=line.status_label,
        due_date=line.due_date,
        submitted=line.submitted,
        refusal_reason=request.refusal_reason,
        valid_until=format_date(request.valid_until) if request.valid_until else "",
        needs_valid_until=_needs_valid_until(request),
        can_review=request.status == DocumentRequestStatus.SUBMITTED,
        files=files.get(request.id, []),
    )


def _submitted_request(session: Session, request_id: object) -> DocumentRequest:
    request = session.get(DocumentRequest, request_id) if type(request_id) is int else None
    if request is None:
        raise RequestError("Demande introuvable.")
    if request.status != DocumentRequestStatus.SUBMITTED:
        raise RequestError("Cette demande n'attend pas de vérification (déjà traitée ?).")
    return request


def _decide(session: Session, actor: SessionUser, request: DocumentRequest, **values) -> None:
    """Record the decision, unless another staff member decided in the meantime."""
    now = utcnow()
    changed = session.exec(
        update(DocumentRequest)
        .where(
            col(DocumentRequest.id) == request.id,
            col(DocumentRequest.status) == DocumentRequestStatus.SUBMITTED,
        )
        .values(reviewed_at=now, reviewed_by_id=actor.user_id, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise RequestError("Cette demande vient d'être traitée par quelqu'un d'autre.")
    session.refresh(request)


def accept_request(
    *,
    session: Session,
    actor: SessionUser,
    request_id: int,
    today: date,
    valid_until: date | None = None,
) -> None:
    """Accept what was sent (an insurance certificate needs its end date); the person is told."""
    require_staff(actor)
    request = _submitted_request(session, request_id)
    if _needs_valid_until(request):
        if not isinstance(valid_until, date):
            raise RequestError("Indiquez la date de fin de validité de l'attestation.")
        if not today < valid_until <= today + timedelta(days=MAX_VALIDITY_DAYS):
            raise RequestError("La date de fin de validité doit être à venir (3 ans au plus).")
    else:
        valid_until = None
    _decide(session, actor, request, status=DocumentRequestStatus.ACCEPTED, valid_until=valid_until)
    _file_latest_sending(session, request)
    _notify(session, [request], _accepted_email)
    _audit_decision(
        session, actor, request, "document_request.accepted", {"valid_until": valid_until}
    )
    session.commit()


def refuse_request(*, session: Session, actor: SessionUser, request_id: int, reason: str) -> None:
    """Refuse what was sent, saying why (required); the person is told and may send again."""
    require_staff(actor)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not 3 <= len(reason) <= MAX_REASON_LENGTH:
        raise RequestError(
            f"Indiquez le motif du refus (entre 3 et {MAX_REASON_LENGTH} caractères) : "
            "la personne le verra."
        )
    request = _submitted_request(session, request_id)
    _decide(session, actor, request, status=DocumentRequestStatus.REFUSED, refusal_reason=reason)
    _notify(session, [request], _refused_email)
    _audit_decision(session, actor, request, "document_request.refused", {"reason": reason})
    session.commit()


def _file_latest_sending(session: Session, request: DocumentRequest) -> None:
    session.exec(
        update(Document)
        .where(
            col(Document.document_request_id) == request.id,
            col(Document.created_at) >= request.submitted_at,
            col(Document.filed_at).is_(None),
        )
        .values(filed_at=request.reviewed_at)
        .execution_options(synchronize_session=False)
    )


def _audit_decision(
    session: Session, actor: SessionUser, request: DocumentRequest, action: str, detail: dict
) -> None:
    record_event(
        session=session,
        action=action,
        actor_user_id=actor.user_id,
        target_type="document_request",
        target_id=request.id,
        detail=detail,
    )


def _accepted_email(agency, name, request, space) -> EmailContent:
    return build_request_accepted_email(
        agency=agency,
        to_name=name,
        title=request.title,
        valid_until=request.valid_until,
        link_url=_link_url(space),
    )


def _refused_email(agency, name, request, space) -> EmailContent:
    return build_request_refused_email(
        agency=agency,
        to_name=name,
        title=request.title,
        reason=request.refusal_reason,
        due_date=request.due_date,
        link_url=_link_url(space),
    )


# --- Yearly renewal ----------------------------------------------------------------------------


def _no_later_request() -> ColumnElement[bool]:
    """No newer request of the same kind for the same person, lease and lot (a renewal, or one
    the agency made by hand): what makes the renewal idempotent."""
    later = aliased(DocumentRequest)
    return ~(
        select(later.id)
        .where(
            later.id > DocumentRequest.id,
            later.category == DocumentRequest.category,
            later.tenant_id.is_not_distinct_from(DocumentRequest.tenant_id),
            later.owner_id.is_not_distinct_from(DocumentRequest.owner_id),
            later.lease_id.is_not_distinct_from(DocumentRequest.lease_id),
            later.lot_id.is_not_distinct_from(DocumentRequest.lot_id),
        )
        .exists()
    )


def _still_concerned(today: date) -> ColumnElement[bool]:
    """A tenant who has left the lease is not asked for next year's insurance."""
    current = select(Lease.id).where(_current_lease_condition(today))
    return or_(col(DocumentRequest.lease_id).is_(None), col(DocumentRequest.lease_id).in_(current))


def renewal_title(title: str, valid_until: date) -> str:
    """The title of next year's request: the year of the old one replaced by the new one's."""
    return f"{_YEAR_SUFFIX.sub('', title.strip())} {valid_until.year}"[:MAX_TITLE_LENGTH]


def renew_expiring_requests(
    *, session: Session, today: date, notice_days: int = RENEWAL_NOTICE_DAYS
) -> int:
    """Ask again for every yearly document whose accepted one ends within `notice_days`
    (commits); how many new requests. Running it again the same day creates nothing."""
    expiring = and_(
        col(DocumentRequest.status) == DocumentRequestStatus.ACCEPTED,
        col(DocumentRequest.renews_yearly).is_(True),
        col(DocumentRequest.valid_until).is_not(None),
        col(DocumentRequest.valid_until) <= today + timedelta(days=notice_days),
        _still_concerned(today),
    )
    # Lock the rows first (PostgreSQL), then look again for renewals: a concurrent call that
    # got there first has committed its new requests by the time the lock is ours.
    ids = session.exec(
        select(DocumentRequest.id).where(expiring, _no_later_request()).with_for_update()
    ).all()
    if not ids:
        return 0
    olds = session.exec(
        select(DocumentRequest).where(col(DocumentRequest.id).in_(ids), _no_later_request())
    ).all()
    renewals = [_renewal(old, today) for old in olds]
    session.add_all(renewals)
    session.flush()
    _notify_renewals(session, olds, renewals)
    for old, new in zip(olds, renewals, strict=True):
        record_event(
            session=session,
            action="document_request.renewed",
            target_type="document_request",
            target_id=new.id,
            detail={"renews": old.id, "valid_until": old.valid_until},
        )
    session.commit()
    return len(renewals)


def _renewal(old: DocumentRequest, today: date) -> DocumentRequest:
    return DocumentRequest(
        tenant_id=old.tenant_id,
        owner_id=old.owner_id,
        lease_id=old.lease_id,
        lot_id=old.lot_id,
        category=old.category,
        title=renewal_title(old.title, old.valid_until),
        description=old.description,
        # Due when the old certificate ends; found late, the person still gets a fortnight.
        due_date=max(old.valid_until, today + timedelta(days=LATE_RENEWAL_DAYS)),
        renews_yearly=True,
    )


def _notify_renewals(
    session: Session, olds: Sequence[DocumentRequest], renewals: Sequence[DocumentRequest]
) -> None:
    ended = {new.id: old.valid_until for old, new in zip(olds, renewals, strict=True)}

    def build(agency, name, request, space):
        return _created_email(agency, name, request, space, ended[request.id])

    _notify(session, renewals, build)
