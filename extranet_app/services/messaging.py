"""Messagerie: conversations between one tenant or owner and the agency.

A thread belongs to one person in one space (`person_role`): every query of the person's side
filters by their own user id and that role, so a thread id guessed or forged never opens someone
else's conversation (the refusal is audited). Internal notes are left out by the queries of the
person's side, never by the page. Staff see every thread (require_staff).

Read markers: `person_last_read_at` / `agency_last_read_at` move when a side opens the thread
(not during an Aperçu); `agency_unread` says the person wrote since staff last opened it.
`updated_at` moves with any change, so that open pages can poll one cheap maximum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import Session, col, select

from extranet_app.email.messaging import build_new_message_email
from extranet_app.models import (
    AuthSession,
    Document,
    DocumentCategory,
    DocumentSource,
    Lease,
    LeaseTenant,
    Lot,
    Message,
    Ownership,
    Property,
    Thread,
    ThreadCategory,
    ThreadStatus,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.services.agency import get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space, require_staff, require_writable
from extranet_app.services.documents import document_reference, format_size
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_date, format_datetime
from extranet_app.services.message_text import (
    InvalidMessage,
    Segment,
    checked_body,
    checked_subject,
    text_segments,
)
from extranet_app.services.outbox import EmailKind, queue_email
from extranet_app.services.uploads import IMAGE_TYPES, CheckedFile, UploadBatch, upload_batch
from extranet_app.settings import get_settings

MESSAGES_PER_PAGE = 50
MAX_PERSON_THREADS = 200
# An e-mail tells an offline person about new messages at most this often per conversation.
NOTIFY_INTERVAL = timedelta(hours=1)
# Someone whose session did something within this delay is online: they see the message live.
ONLINE_WINDOW = timedelta(minutes=5)

ROLE_FOR_SPACE = {Space.TENANT: "tenant", Space.OWNER: "owner"}
MESSAGES_PATH = {"tenant": "/locataire/messages", "owner": "/proprietaire/messages"}
ROLE_LABELS = {"tenant": "Locataire", "owner": "Propriétaire"}
CATEGORY_LABELS = {
    ThreadCategory.INTERVENTION: "Intervention / problème technique",
    ThreadCategory.PAYMENT: "Paiement",
    ThreadCategory.DOCUMENTS: "Documents",
    ThreadCategory.OTHER: "Autre",
}
STATUS_LABELS = {
    ThreadStatus.NEW: "Nouvelle",
    ThreadStatus.IN_PROGRESS: "En cours",
    ThreadStatus.RESOLVED: "Résolue",
    ThreadStatus.CLOSED: "Fermée",
}

# --- What the pages show (no database id in any of these) --------------------------------------


@dataclass(frozen=True)
class Place:
    """A lease or lot a conversation can be about (backend only: it holds ids)."""

    label: str
    lease_id: int | None = None
    lot_id: int | None = None
    property_id: int | None = None


@dataclass(frozen=True)
class ThreadLine:
    """One conversation in a list; `position` is its row in the page."""

    position: int
    subject: str
    category: str
    category_label: str
    status: str
    status_label: str
    place: str
    person: str
    role_label: str
    assignee: str
    last_activity: str
    unread: bool


@dataclass(frozen=True)
class ThreadListing:
    """Lines for the page, and the thread ids behind them (kept backend-only by the state)."""

    lines: list[ThreadLine]
    ids: list[int]


@dataclass(frozen=True)
class AttachmentLine:
    """A file attached to a message, downloaded through the one document route."""

    reference: str
    filename: str
    size: str
    is_image: bool


@dataclass(frozen=True)
class MessageLine:
    """One message as the conversation shows it."""

    author: str
    from_agency: bool
    is_note: bool
    sent: str
    segments: list[Segment]
    attachments: list[AttachmentLine]
    read_note: str  # "Lu le …" under the agency's last message the person has read


@dataclass(frozen=True)
class ConversationHeader:
    """The top of an open conversation."""

    subject: str
    category: str
    category_label: str
    status: str
    status_label: str
    place: str
    person: str
    role_label: str
    assignee: str
    started: str
    closed: bool


@dataclass(frozen=True)
class Conversation:
    """An open conversation: its header and a page of messages, oldest first."""

    header: ConversationHeader
    messages: list[MessageLine]
    has_older: bool
    oldest_id: int | None  # where "messages précédents" continues (backend only)
    assignee_id: int | None = None  # backend only


EMPTY_HEADER = ConversationHeader("", "", "", "", "", "", "", "", "", "", False)


# --- Checks ------------------------------------------------------------------------------------


def checked_category(category: object) -> ThreadCategory:
    """A category from the page, or InvalidMessage."""
    if isinstance(category, str) and category in ThreadCategory._value2member_map_:
        return ThreadCategory(category)
    raise InvalidMessage("Choisissez une catégorie.")


def checked_status(status: object) -> ThreadStatus:
    """A status from the page, or InvalidMessage."""
    if isinstance(status, str) and status in ThreadStatus._value2member_map_:
        return ThreadStatus(status)
    raise InvalidMessage("Statut inconnu.")


def _checked_id(value: object) -> int:
    if type(value) is not int:
        raise AccessDenied
    return value


def _person_role(user: SessionUser, space: Space) -> str:
    if space not in ROLE_FOR_SPACE or not user.can_enter(space):
        raise AccessDenied
    return ROLE_FOR_SPACE[space]


def _audit_refusal(session: Session, user: SessionUser, thread_id: object, space: str) -> None:
    record_event(
        session=session,
        action="message.thread_denied",
        actor_user_id=user.previewed_by_user_id or user.user_id,
        target_type="thread",
        target_id=thread_id if type(thread_id) is int else None,
        allowed=False,
        detail={"space": space, "as_user": user.user_id},
    )
    session.commit()


def own_thread(*, session: Session, user: SessionUser, space: Space, thread_id: object) -> Thread:
    """The thread if it is the user's own in `space`; otherwise AccessDenied, audited."""
    role = ROLE_FOR_SPACE.get(space, "")
    thread = None
    if type(thread_id) is int and role and user.can_enter(space):
        thread = session.exec(
            select(Thread).where(
                Thread.id == thread_id,
                Thread.person_user_id == user.user_id,
                Thread.person_role == role,
            )
        ).first()
    if thread is None:
        _audit_refusal(session, user, thread_id, str(space))
        raise AccessDenied
    return thread


def staff_thread(*, session: Session, actor: SessionUser, thread_id: object) -> Thread:
    """Any thread, for agency staff; AccessDenied for anyone else or an unknown thread."""
    require_staff(actor)
    thread = session.get(Thread, _checked_id(thread_id))
    if thread is None:
        raise AccessDenied
    return thread


# --- Places (lease or lot) ---------------------------------------------------------------------


def _lot_label(building_name: str, lot_reference: str) -> str:
    return f"{building_name} — lot {lot_reference}"


def tenant_places(*, session: Session, tenant_ids: Sequence[int], today: date) -> list[Place]:
    """The leases of these tenant profiles, current ones first."""
    rows = session.exec(
        select(Lease, Lot.reference, Property.id, Property.name)
        .join(Lot, col(Lot.id) == col(Lease.lot_id))
        .join(Property, col(Property.id) == col(Lot.property_id))
        .where(
            col(Lease.id).in_(
                select(LeaseTenant.lease_id).where(col(LeaseTenant.tenant_id).in_(list(tenant_ids)))
            )
        )
        .order_by(col(Lease.start_date).desc(), col(Lease.id))
    ).all()
    current, ended = [], []
    for lease, reference, property_id, name in rows:
        over = lease.end_date is not None and lease.end_date < today
        label = _lot_label(name, reference)
        if over:
            label += f" (bail terminé le {format_date(lease.end_date)})"
        (ended if over else current).append(Place(label, lease.id, lease.lot_id, property_id))
    return current + ended


def owner_places(*, session: Session, owner_ids: Sequence[int]) -> list[Place]:
    """The lots these owner profiles own, by building and lot."""
    rows = session.exec(
        select(Lot.id, Lot.reference, Property.id, Property.name)
        .join(Property, col(Property.id) == col(Lot.property_id))
        .where(
            col(Lot.id).in_(
                select(Ownership.lot_id).where(col(Ownership.owner_id).in_(list(owner_ids)))
            )
        )
        .order_by(Property.name, Lot.reference)
    ).all()
    return [
        Place(_lot_label(name, reference), None, lot_id, property_id)
        for lot_id, reference, property_id, name in rows
    ]


def person_places(*, session: Session, user: SessionUser, space: Space, today: date) -> list[Place]:
    """What the user may name as the subject of a conversation in `space`: only their own."""
    if _person_role(user, space) == "tenant":
        return tenant_places(session=session, tenant_ids=user.tenant_ids, today=today)
    return owner_places(session=session, owner_ids=user.owner_ids)


def _checked_place(place: Place | None, allowed: list[Place]) -> Place | None:
    if place is None:
        return None
    if place not in allowed:
        raise AccessDenied
    return place


# --- Lists -------------------------------------------------------------------------------------


def _unread_for_person() -> ColumnElement[bool]:
    return or_(
        col(Thread.person_last_read_at).is_(None),
        col(Thread.person_last_read_at) < col(Thread.last_message_at),
    )


def list_person_threads(*, session: Session, user: SessionUser, space: Space) -> ThreadListing:
    """The user's conversations in `space`, latest activity first (the 200 latest)."""
    role = _person_role(user, space)
    rows = session.exec(
        select(Thread, Lot.reference, Property.name, _unread_for_person())
        .outerjoin(Lot, col(Lot.id) == col(Thread.lot_id))
        .outerjoin(Property, col(Property.id) == col(Thread.property_id))
        .where(Thread.person_user_id == user.user_id, Thread.person_role == role)
        .order_by(col(Thread.last_message_at).desc(), col(Thread.id).desc())
        .limit(MAX_PERSON_THREADS)
    ).all()
    lines = [
        thread_line(position, thread, _place_label(building, reference), "", "", bool(unread))
        for position, (thread, reference, building, unread) in enumerate(rows)
    ]
    return ThreadListing(lines, [thread.id for thread, *_ in rows])


def _place_label(building: str | None, reference: str | None) -> str:
    if building and reference:
        return _lot_label(building, reference)
    return building or ""


def thread_line(
    position: int, thread: Thread, place: str, person: str, assignee: str, unread: bool
) -> ThreadLine:
    """The list line of a thread."""
    return ThreadLine(
        position=position,
        subject=thread.subject,
        category=thread.category,
        category_label=CATEGORY_LABELS.get(thread.category, "Autre"),
        status=thread.status,
        status_label=STATUS_LABELS.get(thread.status, thread.status),
        place=place,
        person=person,
        role_label=ROLE_LABELS.get(thread.person_role, ""),
        assignee=assignee,
        last_activity=format_datetime(thread.last_message_at),
        unread=unread,
    )


# --- Opening a conversation --------------------------------------------------------------------


def open_for_person(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    thread_id: object,
    before_id: int | None = None,
    now: datetime | None = None,
) -> Conversation:
    """The user's own conversation, without internal notes; reading it marks it read (except
    during an Aperçu, which changes nothing)."""
    thread = own_thread(session=session, user=user, space=space, thread_id=thread_id)
    conversation = _conversation(session, thread, before_id, staff_view=False)
    if before_id is None and not user.read_only and _unread_by_person(thread):
        now = now or utcnow()
        thread.person_last_read_at = now
        thread.updated_at = now
        session.commit()
    return conversation


def open_for_staff(
    *,
    session: Session,
    actor: SessionUser,
    thread_id: object,
    before_id: int | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Any conversation with its internal notes, for staff; opening it marks it read."""
    thread = staff_thread(session=session, actor=actor, thread_id=thread_id)
    if before_id is None and (thread.agency_unread or _unread_by_agency(thread)):
        now = now or utcnow()
        thread.agency_last_read_at, thread.agency_unread, thread.updated_at = now, False, now
        session.commit()
    return _conversation(session, thread, before_id, staff_view=True)


def _unread_by_person(thread: Thread) -> bool:
    read = thread.person_last_read_at
    return read is None or read < thread.last_message_at


def _unread_by_agency(thread: Thread) -> bool:
    read = thread.agency_last_read_at
    return read is None or read < thread.last_message_at


def _conversation(
    session: Session, thread: Thread, before_id: int | None, *, staff_view: bool
) -> Conversation:
    statement = (
        select(Message, User.display_name, User.email, User.is_agency)
        .join(User, col(User.id) == col(Message.author_id))
        .where(Message.thread_id == thread.id)
    )
    if not staff_view:
        statement = statement.where(col(Message.is_internal_note).is_(False))
    if type(before_id) is int:
        statement = statement.where(col(Message.id) < before_id)
    rows = session.exec(
        statement.order_by(col(Message.id).desc()).limit(MESSAGES_PER_PAGE + 1)
    ).all()
    has_older = len(rows) > MESSAGES_PER_PAGE
    rows = list(reversed(rows[:MESSAGES_PER_PAGE]))
    files = _attachments(session, [message.id for message, *_ in rows])
    read_marker = _read_marker(thread, rows) if staff_view else None
    lines = [
        MessageLine(
            author=name or email,
            from_agency=is_agency,
            is_note=message.is_internal_note,
            sent=format_datetime(message.created_at, separator=" à "),
            segments=text_segments(message.body),
            attachments=files.get(message.id, []),
            read_note=_read_note(thread) if message.id == read_marker else "",
        )
        for message, name, email, is_agency in rows
    ]
    return Conversation(
        header=conversation_header(session, thread),
        messages=lines,
        has_older=has_older,
        oldest_id=rows[0][0].id if rows else None,
        assignee_id=thread.assigned_to_id if staff_view else None,
    )


def _read_marker(thread: Thread, rows: list) -> int | None:
    """The id of the agency's last public message the person has read, if shown."""
    read = thread.person_last_read_at
    if read is None:
        return None
    read_ids = [
        message.id
        for message, _, _, is_agency in rows
        if is_agency and not message.is_internal_note and message.created_at <= read
    ]
    return read_ids[-1] if read_ids else None


def _read_note(thread: Thread) -> str:
    return f"Lu le {format_datetime(thread.person_last_read_at, separator=' à ')}"


def _attachments(session: Session, message_ids: list[int]) -> dict[int, list[AttachmentLine]]:
    if not message_ids:
        return {}
    rows = session.exec(
        select(
            Document.id,
            Document.message_id,
            Document.original_filename,
            Document.size_bytes,
            Document.mime_type,
        )
        .where(col(Document.message_id).in_(message_ids))
        .order_by(col(Document.id))
    ).all()
    files: dict[int, list[AttachmentLine]] = {}
    for document_id, message_id, filename, size, mime_type in rows:
        files.setdefault(message_id, []).append(
            AttachmentLine(
                reference=document_reference(document_id),
                filename=filename,
                size=format_size(size),
                is_image=mime_type in IMAGE_TYPES,
            )
        )
    return files


def conversation_header(session: Session, thread: Thread) -> ConversationHeader:
    """The header of a thread: subject, status, what it is about, who is in it."""
    person = session.get(User, thread.person_user_id)
    assignee = session.get(User, thread.assigned_to_id) if thread.assigned_to_id else None
    building = session.get(Property, thread.property_id) if thread.property_id else None
    lot = session.get(Lot, thread.lot_id) if thread.lot_id else None
    return ConversationHeader(
        subject=thread.subject,
        category=thread.category,
        category_label=CATEGORY_LABELS.get(thread.category, "Autre"),
        status=thread.status,
        status_label=STATUS_LABELS.get(thread.status, thread.status),
        place=_place_label(building.name if building else None, lot.reference if lot else None),
        person=_name(person),
        role_label=ROLE_LABELS.get(thread.person_role, ""),
        assignee=_name(assignee),
        started=format_date(thread.created_at.date()),
        closed=thread.status == ThreadStatus.CLOSED,
    )


def _name(user: User | None) -> str:
    return (user.display_name or user.email) if user is not None else ""


# --- Writing -----------------------------------------------------------------------------------


def _save_attachments(
    batch: UploadBatch, thread: Thread, message: Message, files: Sequence[CheckedFile], source: str
) -> None:
    for checked in files:
        # Linked to the thread's lease or lot for the agency's filing, but visible to nobody
        # through them: only the message makes it visible (services/documents.py).
        batch.save(
            checked,
            message_id=message.id,
            lease_id=thread.lease_id,
            lot_id=thread.lot_id,
            property_id=thread.property_id,
            category=DocumentCategory.PHOTO
            if checked.mime_type in IMAGE_TYPES
            else DocumentCategory.OTHER,
            source=source,
            title=checked.filename[:200],
            visible_to_tenants=False,
            visible_to_owners=False,
            uploaded_by_id=message.author_id,
        )


@dataclass(frozen=True)
class Draft:
    """A message about to be posted (see post_message)."""

    author_id: int
    body: str
    files: Sequence[CheckedFile]
    from_agency: bool
    internal: bool = False


def post_message(
    session: Session, batch: UploadBatch, thread: Thread, draft: Draft, now: datetime
) -> Message:
    """Add a message (and its files) and move the thread's markers; flushed, not committed."""
    message = Message(
        thread_id=thread.id,
        author_id=draft.author_id,
        body=draft.body,
        is_internal_note=draft.internal,
        created_at=now,
    )
    session.add(message)
    session.flush()
    source = DocumentSource.AGENCY if draft.from_agency else _SOURCE[thread.person_role]
    _save_attachments(batch, thread, message, draft.files, source)
    thread.updated_at = now
    if draft.from_agency:
        # Whoever writes for the agency has read the thread.
        thread.agency_last_read_at, thread.agency_unread = now, False
    if not draft.internal:
        thread.last_message_at = now
        if not draft.from_agency:
            thread.person_last_read_at, thread.agency_unread = now, True
    session.add(thread)
    return message


_SOURCE = {"tenant": DocumentSource.TENANT, "owner": DocumentSource.OWNER}


def start_conversation(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    subject: object,
    category: object,
    text: object,
    place: Place | None = None,
    files: Sequence[CheckedFile] = (),
    today: date,
    now: datetime | None = None,
) -> int:
    """A tenant or owner writes to the agency about one of their leases or lots; returns the
    new thread's id (commits; files removed again if anything fails)."""
    require_writable(user, session=session)
    role = _person_role(user, space)
    title, kind, body = checked_subject(subject), checked_category(category), checked_body(text)
    place = _checked_place(
        place, person_places(session=session, user=user, space=space, today=today)
    )
    now = now or utcnow()
    with upload_batch(session) as batch:
        thread = new_thread(user.user_id, role, title, kind, place, user.user_id, now)
        thread.status = ThreadStatus.NEW
        session.add(thread)
        session.flush()
        post_message(session, batch, thread, Draft(user.user_id, body, files, False), now)
        _audit(session, "message.thread_started", user.user_id, thread, files)
        session.commit()
    return thread.id


def new_thread(
    person_user_id: int,
    role: str,
    subject: str,
    category: ThreadCategory,
    place: Place | None,
    created_by_id: int,
    now: datetime,
) -> Thread:
    return Thread(
        person_user_id=person_user_id,
        person_role=role,
        subject=subject,
        category=category,
        lease_id=place.lease_id if place else None,
        lot_id=place.lot_id if place else None,
        property_id=place.property_id if place else None,
        created_by_id=created_by_id,
        created_at=now,
        last_message_at=now,
        updated_at=now,
    )


def _audit(
    session: Session, action: str, actor_id: int, thread: Thread, files: Sequence[CheckedFile]
) -> None:
    record_event(
        session=session,
        action=action,
        actor_user_id=actor_id,
        target_type="thread",
        target_id=thread.id,
        detail={"attachments": len(files)} if files else None,
    )


def person_reply(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    thread_id: object,
    text: object,
    files: Sequence[CheckedFile] = (),
    now: datetime | None = None,
) -> None:
    """The person answers in their own conversation (not a closed one); commits."""
    require_writable(user, session=session)
    thread = own_thread(session=session, user=user, space=space, thread_id=thread_id)
    if thread.status == ThreadStatus.CLOSED:
        raise InvalidMessage(
            "Cette conversation est fermée : écrivez un nouveau message à l'agence."
        )
    body = checked_body(text)
    now = now or utcnow()
    with upload_batch(session) as batch:
        post_message(session, batch, thread, Draft(user.user_id, body, files, False), now)
        if thread.status == ThreadStatus.RESOLVED:
            thread.status = ThreadStatus.IN_PROGRESS  # the person says it is not over
        session.commit()


def staff_reply(
    *,
    session: Session,
    actor: SessionUser,
    thread_id: object,
    text: object,
    files: Sequence[CheckedFile] = (),
    internal: bool = False,
    now: datetime | None = None,
) -> None:
    """Staff answer the person, or add an internal note the person never sees; commits.

    An answer reopens a closed thread, moves a new one to "en cours", gives an unassigned
    thread to whoever answers, and e-mails the person if they are offline (throttled).
    """
    thread = staff_thread(session=session, actor=actor, thread_id=thread_id)
    body = checked_body(text)
    now = now or utcnow()
    with upload_batch(session) as batch:
        post_message(
            session, batch, thread, Draft(actor.user_id, body, files, True, bool(internal)), now
        )
        if not internal:
            _after_agency_answer(session, thread, actor, now)
        action = "message.internal_note" if internal else "message.agency_reply"
        _audit(session, action, actor.user_id, thread, files)
        session.commit()


def _after_agency_answer(session: Session, thread: Thread, actor: SessionUser, now: datetime):
    if thread.status in (ThreadStatus.NEW, ThreadStatus.CLOSED):
        thread.status, thread.closed_at = ThreadStatus.IN_PROGRESS, None
    if thread.assigned_to_id is None:
        thread.assigned_to_id = actor.user_id
    notify_person(session=session, thread=thread, actor_id=actor.user_id, now=now)


# --- Notifications ------------------------------------------------------------------------------


def is_online(*, session: Session, user_id: int, now: datetime) -> bool:
    """Whether the user has a live login session that did something within ONLINE_WINDOW."""
    found = session.exec(
        select(AuthSession.id)
        .where(
            AuthSession.user_id == user_id,
            col(AuthSession.revoked_at).is_(None),
            # Password typed, code not yet: not the person using the extranet.
            col(AuthSession.second_factor_pending).is_(False),
            AuthSession.expires_at > now,
            AuthSession.idle_expires_at > now,
            AuthSession.last_seen_at >= now - ONLINE_WINDOW,
        )
        .limit(1)
    ).first()
    return found is not None


def notify_person(*, session: Session, thread: Thread, actor_id: int, now: datetime) -> bool:
    """Queue the "nouveau message" e-mail if the person wants it, can log in, is offline and
    had none about this thread within the hour; returns whether one was queued (no commit)."""
    person = session.get(User, thread.person_user_id)
    if person is None or not person.is_active or person.activated_at is None:
        return False
    if not person.email_notifications:
        return False
    last = thread.person_last_notified_at
    if last is not None and now - last < NOTIFY_INTERVAL:
        return False
    if is_online(session=session, user_id=person.id, now=now):
        return False
    agency = get_agency_identity(session=session)
    url = get_settings().public_url.rstrip("/") + MESSAGES_PATH.get(thread.person_role, "/")
    queue_email(
        session=session,
        kind=EmailKind.NOTIFICATION,
        to_address=person.email,
        to_name=person.display_name,
        message=build_new_message_email(
            agency=agency,
            to_name=person.display_name,
            thread_subject=thread.subject,
            messages_url=url,
        ),
        user_id=person.id,
        created_by_id=actor_id,
        send_without_review=True,  # a notice without secrets: no review needed
    )
    thread.person_last_notified_at = now
    return True


def email_notifications_enabled(*, session: Session, user: SessionUser) -> bool:
    """Whether the user asked to be told by e-mail about new messages."""
    person = session.get(User, user.user_id)
    return bool(person and person.email_notifications)


def set_email_notifications(*, session: Session, user: SessionUser, enabled: bool) -> None:
    """The person turns the e-mails about new messages on or off (audited; commits)."""
    require_writable(user, session=session)
    person = session.get(User, user.user_id)
    if person is None:
        raise AccessDenied
    person.email_notifications = bool(enabled)
    record_event(
        session=session,
        action="message.notifications_on" if enabled else "message.notifications_off",
        actor_user_id=user.user_id,
        target_type="user",
        target_id=user.user_id,
    )
    session.commit()


# --- Status and assignment (staff) ---------------------------------------------------------------


def set_status(
    *,
    session: Session,
    actor: SessionUser,
    thread_id: object,
    status: object,
    now: datetime | None = None,
) -> None:
    """Move a thread to a status (nouvelle, en cours, résolue, fermée); audited, commits."""
    thread = staff_thread(session=session, actor=actor, thread_id=thread_id)
    chosen = checked_status(status)
    now = now or utcnow()
    thread.status = chosen
    thread.closed_at = now if chosen == ThreadStatus.CLOSED else None
    thread.updated_at = now
    record_event(
        session=session,
        action="message.status",
        actor_user_id=actor.user_id,
        target_type="thread",
        target_id=thread.id,
        detail={"status": chosen.value},
    )
    session.commit()


def assign(
    *,
    session: Session,
    actor: SessionUser,
    thread_id: object,
    assignee_id: int | None,
    now: datetime | None = None,
) -> None:
    """Give a thread to a colleague (or to nobody); audited, commits."""
    thread = staff_thread(session=session, actor=actor, thread_id=thread_id)
    if assignee_id is not None:
        colleague = session.get(User, _checked_id(assignee_id))
        if colleague is None or not colleague.is_agency or not colleague.is_active:
            raise AccessDenied
    thread.assigned_to_id = assignee_id
    thread.updated_at = now or utcnow()
    record_event(
        session=session,
        action="message.assign",
        actor_user_id=actor.user_id,
        target_type="thread",
        target_id=thread.id,
        detail={"assignee": assignee_id},
    )
    session.commit()


@dataclass(frozen=True)
class StaffMember:
    """A colleague a thread can be assigned to (backend only: holds the id)."""

    user_id: int
    name: str


def staff_members(*, session: Session, actor: SessionUser) -> list[StaffMember]:
    """The agency's active staff, by name."""
    require_staff(actor)
    users = session.exec(
        select(User)
        .where(col(User.is_agency).is_(True), col(User.is_active).is_(True))
        .order_by(User.display_name, User.email)
    ).all()
    return [StaffMember(user.id, _name(user)) for user in users]


# --- Live updates and unread counts -------------------------------------------------------------


def _person_filter(user: SessionUser, space: Space) -> ColumnElement[bool]:
    return and_(Thread.person_user_id == user.user_id, Thread.person_role == ROLE_FOR_SPACE[space])


def unread_count(*, session: Session, user: SessionUser, space: Space) -> int:
    """Conversations with something new for the user: for a person, an agency message they
    have not read; for staff (agency space), threads where the person wrote since."""
    if space == Space.AGENCY:
        require_staff(user)
        return session.exec(
            select(func.count()).select_from(Thread).where(col(Thread.agency_unread).is_(True))
        ).one()
    _person_role(user, space)
    return session.exec(
        select(func.count())
        .select_from(Thread)
        .where(_person_filter(user, space), _unread_for_person())
    ).one()


@dataclass(frozen=True)
class Activity:
    """What an open page compares between two polls: when it differs, the page reloads."""

    changed_at: datetime | None
    unread: int


def activity(*, session: Session, user: SessionUser, space: Space) -> Activity:
    """The latest change among the threads `user` sees in `space` and the unread count, from
    indexes only (this runs every few seconds for every open page)."""
    if space == Space.AGENCY:
        require_staff(user)
        changed_at = session.exec(select(func.max(Thread.updated_at))).one()
        return Activity(changed_at, unread_count(session=session, user=user, space=space))
    _person_role(user, space)
    unread = func.coalesce(func.sum(case((_unread_for_person(), 1), else_=0)), 0)
    changed_at, count = session.exec(
        select(func.max(Thread.updated_at), unread).where(_person_filter(user, space))
    ).one()
    return Activity(changed_at, int(count))
