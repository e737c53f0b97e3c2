"""The agency's side of the Messagerie: the shared inbox, and writing first to one person or to
every tenant of a building.

The inbox pages in the database (50 threads, newest activity first); each filter has an index
ending with `last_message_at` (models/messaging.py), so a page of 100 000 threads costs a few
index reads. Only people with a login can be written to: a conversation needs someone to read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from extranet_app.models import (
    Lease,
    LeaseTenant,
    Lot,
    Owner,
    Property,
    Tenant,
    Thread,
    ThreadStatus,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_staff
from extranet_app.services.errors import AccessDenied
from extranet_app.services.message_text import (
    InvalidMessage,
    checked_body,
    checked_subject,
)
from extranet_app.services.messaging import (
    Draft,
    Place,
    ThreadLine,
    checked_category,
    new_thread,
    notify_person,
    owner_places,
    post_message,
    tenant_places,
    thread_line,
)
from extranet_app.services.paging import page_count
from extranet_app.services.uploads import CheckedFile, upload_batch

INBOX_PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
MAX_RECIPIENTS_SHOWN = 20
# Below this many matches a search sorts them itself; above, it walks the date index (a rare
# word would otherwise make the database read the whole index for 50 rows).
_SMALL_RESULT = 1_000
# The inbox counts (and pages) up to this many threads.
MAX_COUNTED = 10_000
NOT_ENROLLED = (
    "Pas encore inscrit à l'extranet : inscrivez cette personne depuis « Gestion des accès » "
    "pour pouvoir lui écrire."
)


class NotEnrolled(InvalidMessage):
    """The person has no (active) login: nobody would read the conversation."""


@dataclass(frozen=True)
class InboxQuery:
    """The inbox's filters."""

    unread_only: bool = False
    assigned_to_me: bool = False
    category: str | None = None
    status: str | None = None
    property_id: int | None = None
    search: str = ""


@dataclass(frozen=True)
class InboxPage:
    """One page of the shared inbox; `ids` stay backend-only."""

    lines: list[ThreadLine]
    ids: list[int]
    total: int
    page: int
    page_size: int
    more: bool = False  # more than `total` match (counting stopped at MAX_COUNTED)

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(column: Any, term: str, dialect: str) -> ColumnElement[bool]:
    pattern = f"%{_escaped(term)}%"
    if dialect == "sqlite":
        # SQLite's LIKE already ignores ASCII case; lower() on every row would cost 5 times more.
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _filters(actor: SessionUser, query: InboxQuery) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if query.unread_only:
        conditions.append(col(Thread.agency_unread).is_(True))
    if query.assigned_to_me:
        conditions.append(Thread.assigned_to_id == actor.user_id)
    if query.category:
        conditions.append(Thread.category == query.category)
    if query.status:
        conditions.append(Thread.status == query.status)
    if query.property_id is not None:
        conditions.append(Thread.property_id == query.property_id)
    return and_(*conditions)


def _people_matching(term: str, dialect: str):
    return select(User.id).where(
        or_(_contains(User.display_name, term, dialect), _contains(User.email, term, dialect))
    )


def _search_ids(session: Session, where: ColumnElement[bool], term: str) -> set[int]:
    """Threads whose subject, or person's name or e-mail, contains `term` (two queries, each
    on its best path: a scan of the subjects, the person index for the names found)."""
    dialect = session.get_bind().dialect.name
    by_subject = select(Thread.id).where(where, _contains(Thread.subject, term, dialect))
    people = _people_matching(term, dialect)
    by_person = select(Thread.id).where(where, col(Thread.person_user_id).in_(people))
    # Counting stops at MAX_COUNTED: a common word need not be looked for in every thread.
    found = set(session.exec(by_subject.limit(MAX_COUNTED + 1)).all())
    return found | set(session.exec(by_person.limit(MAX_COUNTED + 1)).all())


def _capped_count(session: Session, where: ColumnElement[bool]) -> int:
    """How many threads match, counting no further than MAX_COUNTED + 1."""
    limited = select(Thread.id).where(where).limit(MAX_COUNTED + 1).subquery()
    return session.exec(select(func.count()).select_from(limited)).one()


def list_inbox(
    *,
    session: Session,
    actor: SessionUser,
    query: InboxQuery = InboxQuery(),
    page: int = 1,
    page_size: int = INBOX_PAGE_SIZE,
) -> InboxPage:
    """One page of the shared inbox, newest activity first, with the filters applied.

    Beyond MAX_COUNTED matching threads the pager says "plus de …" and stops there: the
    filters and the search find older ones.
    """
    require_staff(actor)
    page, page_size = max(1, int(page)), min(max(1, int(page_size)), 200)
    where = _filters(actor, query)
    newest = col(Thread.last_message_at)
    term = query.search.strip()[:MAX_SEARCH_LENGTH] if isinstance(query.search, str) else ""
    if term:
        found = _search_ids(session, where, term)
        total = len(found)
        if total <= _SMALL_RESULT:  # few: sort them, rather than walk the whole date index
            where, newest = col(Thread.id).in_(found), func.coalesce(newest, Thread.created_at)
        else:
            where = and_(where, _search_condition(session, term))  # many: walk the index
    else:
        total = _capped_count(session, where)
    pages = min(page_count(total, page_size), max(1, MAX_COUNTED // page_size))
    page = min(page, pages)
    rows = _page_rows(session, where, newest, (page - 1) * page_size, page_size)
    references = _lot_references(session, [thread.lot_id for thread, *_ in rows])
    lines = [
        thread_line(
            position,
            thread,
            _place(building, references.get(thread.lot_id)),
            name or email,
            assigned or "",
            thread.agency_unread,
        )
        for position, (thread, name, email, assigned, building) in enumerate(rows)
    ]
    ids = [thread.id for thread, *_ in rows]
    return InboxPage(lines, ids, min(total, MAX_COUNTED), page, page_size, total > MAX_COUNTED)


def _search_condition(session: Session, term: str) -> ColumnElement[bool]:
    dialect = session.get_bind().dialect.name
    people = _people_matching(term, dialect)
    return or_(_contains(Thread.subject, term, dialect), col(Thread.person_user_id).in_(people))


def _page_rows(session: Session, where, newest, offset: int, limit: int) -> list:
    person, assignee = aliased(User), aliased(User)
    return session.exec(
        select(Thread, person.display_name, person.email, assignee.display_name, Property.name)
        .join(person, col(person.id) == col(Thread.person_user_id))
        .outerjoin(assignee, col(assignee.id) == col(Thread.assigned_to_id))
        .outerjoin(Property, col(Property.id) == col(Thread.property_id))
        .where(where)
        .order_by(newest.desc(), col(Thread.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()


def _lot_references(session: Session, lot_ids: list[int | None]) -> dict[int, str]:
    wanted = [lot_id for lot_id in set(lot_ids) if lot_id is not None]
    if not wanted:
        return {}
    return dict(session.exec(select(Lot.id, Lot.reference).where(col(Lot.id).in_(wanted))).all())


def _place(building: str | None, reference: str | None) -> str:
    if building and reference:
        return f"{building} — lot {reference}"
    return building or ""


@dataclass(frozen=True)
class Building:
    """A building of the filter and of the "write to a building" form (backend only)."""

    property_id: int
    name: str


def buildings(*, session: Session, actor: SessionUser) -> list[Building]:
    """Every building the agency manages, by name."""
    require_staff(actor)
    rows = session.exec(select(Property.id, Property.name).order_by(Property.name)).all()
    return [Building(property_id, name) for property_id, name in rows]


# --- Writing first --------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """A tenant or owner the agency may look for (backend only: holds ids)."""

    kind: str  # "tenant" or "owner", the space the conversation will be in
    person_id: int
    name: str
    detail: str
    enrolled: bool


def _person_name(person: Tenant | Owner) -> str:
    return person.full_name or person.email or "?"


def find_recipients(*, session: Session, actor: SessionUser, search: str) -> list[Recipient]:
    """Tenants and owners whose name or e-mail contains `search` (20 of each at most);
    people without an active login are listed too, marked not enrolled."""
    require_staff(actor)
    term = search.strip()[:MAX_SEARCH_LENGTH].lower() if isinstance(search, str) else ""
    if len(term) < 2:
        return []
    found: list[Recipient] = []
    for kind, model in (("tenant", Tenant), ("owner", Owner)):
        pattern = f"%{_escaped(term)}%"
        rows = session.exec(
            select(model, User.is_active)
            .outerjoin(User, col(User.id) == col(model.user_id))
            .where(
                or_(
                    col(model.sort_name).like(pattern, escape="\\"),
                    func.lower(model.email).like(pattern, escape="\\"),
                )
            )
            .order_by(model.sort_name, model.id)
            .limit(MAX_RECIPIENTS_SHOWN)
        ).all()
        for person, active in rows:
            enrolled = person.user_id is not None and bool(active)
            detail = (person.email or "") if enrolled else NOT_ENROLLED
            found.append(Recipient(kind, person.id, _person_name(person), detail, enrolled))
    return found


def recipient_places(
    *, session: Session, actor: SessionUser, recipient: Recipient, today: date
) -> list[Place]:
    """The leases (tenant) or lots (owner) a conversation with `recipient` can be about."""
    require_staff(actor)
    if recipient.kind == "tenant":
        return tenant_places(session=session, tenant_ids=[recipient.person_id], today=today)
    return owner_places(session=session, owner_ids=[recipient.person_id])


def _login_of(session: Session, kind: str, person_id: int) -> User:
    model = Tenant if kind == "tenant" else Owner
    person = session.get(model, person_id) if kind in ("tenant", "owner") else None
    if person is None:
        raise AccessDenied
    user = session.get(User, person.user_id) if person.user_id is not None else None
    if user is None or not user.is_active or user.is_agency:
        raise NotEnrolled(NOT_ENROLLED)
    return user


@dataclass(frozen=True)
class FirstMessage:
    """What the agency writes when it starts a conversation."""

    subject: str
    category: str
    text: str
    files: Sequence[CheckedFile] = field(default_factory=tuple)


def start_with_person(
    *,
    session: Session,
    actor: SessionUser,
    recipient: Recipient,
    message: FirstMessage,
    place: Place | None = None,
    today: date,
    now: datetime | None = None,
) -> int:
    """The agency writes first to one enrolled person; returns the thread id (commits)."""
    require_staff(actor)
    user = _login_of(session, recipient.kind, recipient.person_id)
    allowed = recipient_places(session=session, actor=actor, recipient=recipient, today=today)
    if place is not None and place not in allowed:
        raise AccessDenied
    subject, category = checked_subject(message.subject), checked_category(message.category)
    body, now = checked_body(message.text), now or utcnow()
    with upload_batch(session) as batch:
        thread = _agency_thread(user.id, recipient.kind, subject, category, place, actor, now)
        session.add(thread)
        session.flush()
        draft = Draft(actor.user_id, body, message.files, from_agency=True)
        post_message(session, batch, thread, draft, now)
        notify_person(session=session, thread=thread, actor_id=actor.user_id, now=now)
        _audit_start(session, actor, "thread", thread.id, {"to": recipient.kind})
        session.commit()
    return thread.id


def _agency_thread(user_id, kind, subject, category, place, actor, now) -> Thread:
    thread = new_thread(user_id, kind, subject, category, place, actor.user_id, now)
    thread.status, thread.assigned_to_id = ThreadStatus.IN_PROGRESS, actor.user_id
    return thread


def _audit_start(session: Session, actor: SessionUser, target: str, target_id: int, detail) -> None:
    record_event(
        session=session,
        action="message.agency_started",
        actor_user_id=actor.user_id,
        target_type=target,
        target_id=target_id,
        detail=detail,
    )


@dataclass(frozen=True)
class BuildingAudience:
    """Who a message to a building reaches: enrolled tenants of its current leases."""

    recipients: list[tuple[int, Place]]  # (user id, their lease) — backend only
    not_enrolled: int


def building_audience(
    *, session: Session, actor: SessionUser, property_id: int, today: date
) -> BuildingAudience:
    """The tenants of the building's current leases: those with an active login (one
    conversation each, co-tenants included) and how many have none yet."""
    require_staff(actor)
    rows = session.exec(
        select(Tenant.user_id, User.is_active, Lease.id, Lot.id, Lot.reference, Property.name)
        .join(LeaseTenant, col(LeaseTenant.tenant_id) == col(Tenant.id))
        .join(Lease, col(Lease.id) == col(LeaseTenant.lease_id))
        .join(Lot, col(Lot.id) == col(Lease.lot_id))
        .join(Property, col(Property.id) == col(Lot.property_id))
        .outerjoin(User, col(User.id) == col(Tenant.user_id))
        .where(Lot.property_id == property_id, col(Lease.start_date) <= today)
        .where(or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= today))
        .order_by(Lot.reference, Tenant.id)
    ).all()
    recipients: dict[int, Place] = {}
    missing = 0
    for user_id, active, lease_id, lot_id, reference, name in rows:
        if user_id is None or not active:
            missing += 1
        elif user_id not in recipients:
            recipients[user_id] = Place(f"{name} — lot {reference}", lease_id, lot_id, property_id)
    return BuildingAudience(list(recipients.items()), missing)


@dataclass(frozen=True)
class BroadcastResult:
    """What a message to a building did."""

    started: int
    not_enrolled: int
    emailed: int


def start_with_building(
    *,
    session: Session,
    actor: SessionUser,
    property_id: int,
    message: FirstMessage,
    today: date,
    now: datetime | None = None,
) -> BroadcastResult:
    """The agency writes to every enrolled tenant of a building: one conversation each, so
    that each answers privately (one transaction; no attachments: the same file would be
    stored once per tenant)."""
    require_staff(actor)
    if type(property_id) is not int or session.get(Property, property_id) is None:
        raise AccessDenied
    audience = building_audience(session=session, actor=actor, property_id=property_id, today=today)
    subject, category = checked_subject(message.subject), checked_category(message.category)
    body, now = checked_body(message.text), now or utcnow()
    if not audience.recipients:
        raise NotEnrolled("Aucun locataire de cet immeuble n'est encore inscrit à l'extranet.")
    emailed = 0
    with upload_batch(session) as batch:
        for user_id, place in audience.recipients:
            thread = _agency_thread(user_id, "tenant", subject, category, place, actor, now)
            session.add(thread)
            session.flush()
            post_message(session, batch, thread, Draft(actor.user_id, body, (), True), now)
            emailed += notify_person(
                session=session, thread=thread, actor_id=actor.user_id, now=now
            )
        detail = {"threads": len(audience.recipients), "not_enrolled": audience.not_enrolled}
        _audit_start(session, actor, "property", property_id, detail)
        session.commit()
    return BroadcastResult(len(audience.recipients), audience.not_enrolled, emailed)
