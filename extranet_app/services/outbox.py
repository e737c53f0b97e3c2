"""Centre d'envoi: e-mails queued in the caller's transaction, reviewed, then sent exactly once."""

from __future__ import annotations

import json
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, false, func, insert, or_, true
from sqlalchemy import update as sa_update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select, update

from extranet_app.email.messages import EmailContent
from extranet_app.email.sender import (
    Delivery,
    DeliveryResult,
    OutgoingEmail,
    Transport,
    deliveries,
)
from extranet_app.models import AgencySettings, AuditEvent, OutboxEmail, OutboxStatus
from extranet_app.models.base import utcnow
from extranet_app.services.agency import AGENCY_SETTINGS_ID, AgencyIdentity, get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_staff
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_datetime
from extranet_app.services.paging import ListPage
from extranet_app.settings import get_settings

SessionFactory = Callable[[], AbstractContextManager[Session]]
DEFAULT_BATCH_SIZE = 100
# A sender that claimed rows and then died leaves them "en cours"; after this delay another
# sender takes them over (the message may then go out twice: at-least-once, never zero).
DEFAULT_CLAIM_TIMEOUT = timedelta(minutes=10)


class EmailKind(StrEnum):
    """What an outbox row is about; later features add their own kinds."""

    ACCESS_CODE = "access_code"
    ACCOUNT_ACTIVATED = "account_activated"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind, not a password)
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    NOTIFICATION = "notification"
    NEWS = "news"
    REPORT_PUBLISHED = "report_published"


STATUS_LABELS = {
    OutboxStatus.PENDING: "À envoyer",
    OutboxStatus.SENDING: "Envoi en cours",
    OutboxStatus.SENT: "Envoyé",
    OutboxStatus.FAILED: "En échec",
    OutboxStatus.CANCELLED: "Annulé",
}


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for temporary failures: 1, 2, 4 … minutes, capped, then "en échec"."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)

    def delay_after(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt."""
        return min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay)


DEFAULT_RETRY_POLICY = RetryPolicy()


def retry_policy(session: Session) -> RetryPolicy:
    """The retry policy chosen in the agency's settings (Paramètres), or the defaults."""
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is None:
        return DEFAULT_RETRY_POLICY
    first_delay = timedelta(minutes=max(row.outbox_retry_delay_minutes, 1))
    return RetryPolicy(
        max_attempts=max(row.outbox_max_attempts, 1),
        first_delay=first_delay,
        max_delay=max(DEFAULT_RETRY_POLICY.max_delay, first_delay),
    )


@dataclass(frozen=True)
class SendingContext:
    """What a finalizer may need, computed once per batch."""

    now: datetime
    agency: AgencyIdentity


@dataclass
class Finalized:
    """What a finalizer made of a batch's rows: their real content, or why not to send them."""

    contents: dict[int, EmailContent] = field(default_factory=dict)  # by outbox row id
    skipped: dict[int, str] = field(default_factory=dict)  # row id -> reason (row cancelled)


# Some e-mails carry a secret that must never rest in the database (an access code, a reset link):
# their row holds a masked preview, and a finalizer mints the secrets of a whole batch of rows
# when they are sent.
Finalizer = Callable[[Session, Sequence[OutboxEmail], SendingContext], Finalized]


@dataclass
class SendReport:
    """What one call of send_pending did."""

    claimed: int = 0
    sent: int = 0
    retry_scheduled: int = 0
    failed: int = 0
    cancelled: int = 0
    batches: int = 0


@dataclass(frozen=True)
class OutboxRow:
    """One line of the centre d'envoi list."""

    id: int
    kind: str
    to_address: str
    to_name: str
    subject: str
    status: str
    status_label: str
    awaiting_review: bool
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


OutboxPage = ListPage[OutboxRow]


@dataclass(frozen=True)
class OutboxPreview:
    """The exact message, as the agency reviews it before sending."""

    row: OutboxRow
    body_text: str
    body_html: str
    message_id: str


def new_message_id(*, mail_from: str | None = None) -> str:
    """A globally unique Message-ID in the sender's domain, kept for every attempt."""
    domain = (mail_from or get_settings().mail_from).rpartition("@")[2].strip("<> ")
    return f"<{uuid.uuid4().hex}@{domain or 'localhost'}>"


@dataclass(frozen=True)
class EmailToQueue:
    """One e-mail for queue_emails (the bulk form of queue_email)."""

    kind: str
    to_address: str
    to_name: str
    message: EmailContent
    user_id: int | None = None
    created_by_id: int | None = None
    send_without_review: bool = False


def _checked_address(to_address: str) -> str:
    address = to_address.strip()
    if "@" not in address or any(char in address for char in "\r\n<>,"):
        raise ValueError(f"Adresse e-mail invalide : {to_address!r}")
    return address


def _row_values(email: EmailToQueue, now: datetime, domain: str) -> dict[str, Any]:
    return {
        "kind": email.kind,
        "to_address": _checked_address(email.to_address),
        "to_name": email.to_name[:200],
        "subject": email.message.subject[:300],
        "body_text": email.message.text,
        "body_html": email.message.html,
        "message_id": new_message_id(mail_from=domain),
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        # No date means "waiting for the agency's review"; a date means "send from then on".
        "next_attempt_at": now if email.send_without_review else None,
        "last_error": "",
        "claimed_by": "",
        "user_id": email.user_id,
        "created_by_id": email.created_by_id,
        "created_at": now,
    }


def queue_email(
    *,
    session: Session,
    kind: str,
    to_address: str,
    to_name: str,
    message: EmailContent,
    user_id: int | None = None,
    created_by_id: int | None = None,
    send_without_review: bool = False,
) -> OutboxEmail:
    """Add an e-mail to the outbox inside the caller's transaction (never commits)."""
    email = EmailToQueue(
        kind, to_address, to_name, message, user_id, created_by_id, send_without_review
    )
    row = OutboxEmail(**_row_values(email, utcnow(), get_settings().mail_from))
    session.add(row)
    return row


def queue_emails(*, session: Session, emails: Sequence[EmailToQueue]) -> int:
    """Add many e-mails in one multi-row INSERT, inside the caller's transaction (never commits)."""
    now, domain = utcnow(), get_settings().mail_from
    rows = [_row_values(email, now, domain) for email in emails]
    if rows:
        # Core rather than ORM objects: ten times faster when an agency enrols thousands.
        session.connection().execute(insert(OutboxEmail), rows)
    return len(rows)


def record_user_events(
    *,
    session: Session,
    action: str,
    user_ids: Sequence[int],
    actor_user_id: int | None = None,
    allowed: bool = True,
    details: Sequence[dict[str, Any] | None] | None = None,
) -> None:
    """One audit event per user in one INSERT (like audit.record_event, for bulk actions)."""
    now = utcnow()
    details = details or [None] * len(user_ids)
    rows = [
        {
            "actor_user_id": actor_user_id,
            "action": action,
            "target_type": "user",
            "target_id": "" if user_id is None else str(user_id),
            "allowed": allowed,
            "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else "",
            "ip": "",
            "created_at": now,
        }
        for user_id, detail in zip(user_ids, details, strict=True)
    ]
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def _to_row(email: OutboxEmail) -> OutboxRow:
    return OutboxRow(
        id=email.id,
        kind=email.kind,
        to_address=email.to_address,
        to_name=email.to_name,
        subject=email.subject,
        status=email.status,
        status_label=STATUS_LABELS.get(email.status, email.status),
        awaiting_review=email.status == OutboxStatus.PENDING and email.next_attempt_at is None,
        attempts=email.attempts,
        last_error=email.last_error,
        created_at=email.created_at,
        next_attempt_at=email.next_attempt_at,
        sent_at=email.sent_at,
    )


def _list_filter(status: str | None, kind: str | None, search: str) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if status:
        conditions.append(col(OutboxEmail.status) == OutboxStatus(status))
    if kind:
        conditions.append(col(OutboxEmail.kind) == kind)
    if term := search.strip().lower():
        columns = (OutboxEmail.to_address, OutboxEmail.to_name, OutboxEmail.subject)
        conditions.append(
            or_(*(func.lower(column).contains(term, autoescape=True) for column in columns))
        )
    return and_(*conditions)


def list_outbox(
    *,
    session: Session,
    actor: SessionUser,
    status: str | None = None,
    kind: str | None = None,
    search: str = "",
    page: int = 1,
    page_size: int = 50,
) -> OutboxPage:
    """One page of the outbox, newest first, filtered by status, kind and a search text."""
    require_staff(actor)
    page, page_size = max(1, int(page)), min(max(1, int(page_size)), 200)
    where = _list_filter(status, kind, search)
    total = session.exec(select(func.count()).select_from(OutboxEmail).where(where)).one()
    emails = session.exec(
        select(OutboxEmail)
        .where(where)
        .order_by(col(OutboxEmail.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return OutboxPage([_to_row(email) for email in emails], total, page, page_size)


def count_by_status(*, session: Session, actor: SessionUser) -> dict[OutboxStatus, int]:
    """How many e-mails are in each status (zero included), for the tabs of the screen."""
    require_staff(actor)
    counts = dict.fromkeys(OutboxStatus, 0)
    query = select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)
    for status, count in session.exec(query).all():
        counts[OutboxStatus(status)] = count
    return counts


def count_awaiting_review(*, session: Session, actor: SessionUser) -> int:
    """How many e-mails wait for the agency to send them."""
    require_staff(actor)
    query = select(func.count()).where(
        OutboxEmail.status == OutboxStatus.PENDING, col(OutboxEmail.next_attempt_at).is_(None)
    )
    return session.exec(query).one()


def get_preview(*, session: Session, actor: SessionUser, email_id: int) -> OutboxPreview | None:
    """The full message of one outbox row (secrets masked), or None if it does not exist."""
    require_staff(actor)
    email = session.get(OutboxEmail, checked_ids([email_id])[0])
    if email is None:
        return None
    return OutboxPreview(_to_row(email), email.body_text, email.body_html, email.message_id)


def checked_ids(ids: Sequence[Any]) -> list[int]:
    """Ids as they come from the browser: anything but plain integers is refused outright."""
    if not all(type(value) is int for value in ids):
        raise ValueError("Identifiants invalides.")
    return list(ids)


def cancel(*, session: Session, actor: SessionUser, email_ids: Sequence[int]) -> int:
    """Cancel e-mails not sent yet (to send or failed); returns how many were cancelled."""
    require_staff(actor)
    ids = checked_ids(email_ids)
    result = session.exec(
        update(OutboxEmail)
        .where(
            col(OutboxEmail.id).in_(ids),
            col(OutboxEmail.status).in_([OutboxStatus.PENDING, OutboxStatus.FAILED]),
        )
        .values(status=OutboxStatus.CANCELLED, next_attempt_at=None)
    )
    record_event(
        session=session,
        action="outbox.cancel",
        actor_user_id=actor.user_id,
        target_type="outbox_email",
        detail={"ids": ids[:200], "count": result.rowcount},
    )
    session.commit()
    return result.rowcount


def retry(
    *, session: Session, actor: SessionUser, email_ids: Sequence[int], now: datetime | None = None
) -> int:
    """Put failed e-mails back to send, with a fresh count of attempts; returns how many."""
    require_staff(actor)
    ids = checked_ids(email_ids)
    result = session.exec(
        update(OutboxEmail)
        .where(col(OutboxEmail.id).in_(ids), OutboxEmail.status == OutboxStatus.FAILED)
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now or utcnow(),
            last_error="",
        )
    )
    record_event(
        session=session,
        action="outbox.retry",
        actor_user_id=actor.user_id,
        target_type="outbox_email",
        detail={"ids": ids[:200], "count": result.rowcount},
    )
    session.commit()
    return result.rowcount


# --- The centre d'envoi screen ------------------------------------------------------------------

KIND_LABELS = {
    EmailKind.ACCESS_CODE: "Code d'accès",
    EmailKind.ACCOUNT_ACTIVATED: "Compte activé",
    EmailKind.PASSWORD_RESET: "Mot de passe oublié",
    EmailKind.PASSWORD_CHANGED: "Mot de passe changé",
    EmailKind.NOTIFICATION: "Notification",
    EmailKind.NEWS: "Actualité",
    EmailKind.REPORT_PUBLISHED: "Rapport de gestion publié",
}


@dataclass(frozen=True)
class OutboxLine:
    """One row as the screen shows it: words and Paris times, no database id."""

    to_address: str
    to_name: str
    subject: str
    kind_label: str
    status: str
    status_label: str
    note: str  # "à relire", the next attempt, or the SMTP error of a failure
    error: str
    created: str
    sent: str
    can_retry: bool
    can_cancel: bool


@dataclass(frozen=True)
class OutboxScreen:
    """Everything the centre d'envoi shows at once."""

    page: OutboxPage
    counts: dict[OutboxStatus, int]
    awaiting_review: int
    waiting: int  # every row "à envoyer", reviewed or not
    auto_send: bool


@dataclass(frozen=True)
class MessageView:
    """The exact message as the preview dialog shows it (no database id)."""

    subject: str
    to_name: str
    to_address: str
    status_label: str
    error: str
    message_id: str
    text: str
    html: str


def message_view(preview: OutboxPreview) -> MessageView:
    """The preview dialog's view of a message."""
    row = preview.row
    return MessageView(
        subject=row.subject,
        to_name=row.to_name,
        to_address=row.to_address,
        status_label=row.status_label,
        error=row.last_error,
        message_id=preview.message_id,
        text=preview.body_text,
        html=preview.body_html,
    )


def to_line(row: OutboxRow) -> OutboxLine:
    """The screen's view of a row."""
    if row.awaiting_review:
        note = "À relire avant envoi"
    elif row.status == OutboxStatus.PENDING and row.attempts:
        note = f"Nouvelle tentative le {format_datetime(row.next_attempt_at)}"
    elif row.status == OutboxStatus.PENDING:
        note = "Validé, part au prochain passage"
    else:
        note = ""
    return OutboxLine(
        to_address=row.to_address,
        to_name=row.to_name,
        subject=row.subject,
        kind_label=KIND_LABELS.get(row.kind, row.kind),
        status=row.status,
        status_label=row.status_label,
        note=note,
        error=row.last_error,
        created=format_datetime(row.created_at),
        sent=format_datetime(row.sent_at),
        can_retry=row.status == OutboxStatus.FAILED,
        can_cancel=row.status in (OutboxStatus.PENDING, OutboxStatus.FAILED),
    )


def load_screen(
    *,
    session: Session,
    actor: SessionUser,
    status: str | None = None,
    kind: str | None = None,
    search: str = "",
    page: int = 1,
    page_size: int = 50,
) -> OutboxScreen:
    """The list page, the counts per status and the sending mode, for one refresh of the screen."""
    listed = list_outbox(
        session=session,
        actor=actor,
        status=status,
        kind=kind,
        search=search,
        page=page,
        page_size=page_size,
    )
    counts = count_by_status(session=session, actor=actor)
    return OutboxScreen(
        page=listed,
        counts=counts,
        awaiting_review=count_awaiting_review(session=session, actor=actor),
        waiting=counts[OutboxStatus.PENDING],
        auto_send=_auto_send(session),
    )


def waiting_ids(
    *, session: Session, actor: SessionUser, email_ids: Sequence[int] | None = None
) -> list[int]:
    """Ids of the rows "à envoyer", all of them or among `email_ids`, oldest first."""
    require_staff(actor)
    query = select(OutboxEmail.id).where(OutboxEmail.status == OutboxStatus.PENDING)
    if email_ids is not None:
        query = query.where(col(OutboxEmail.id).in_(checked_ids(list(email_ids))))
    return list(session.exec(query.order_by(OutboxEmail.id)).all())


def send_chosen(
    *,
    session_factory: SessionFactory,
    actor: SessionUser,
    email_ids: Sequence[int],
    transport: Transport,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> SendReport:
    """Send the rows a staff member chose now, whatever their review state (claims as usual)."""
    require_staff(actor)
    return send_pending(
        session_factory=session_factory,
        transport=transport,
        batch_size=batch_size,
        worker_id=f"agence-{actor.user_id}",
        email_ids=checked_ids(list(email_ids)),
    )


def record_sending(
    *, session: Session, actor: SessionUser, requested: int, report: SendReport
) -> None:
    """Journal one sending started from the screen, with its outcome."""
    require_staff(actor)
    record_event(
        session=session,
        action="outbox.send",
        actor_user_id=actor.user_id,
        target_type="outbox_email",
        detail={
            "count": requested,
            "sent": report.sent,
            "retry_scheduled": report.retry_scheduled,
            "failed": report.failed,
            "cancelled": report.cancelled,
        },
    )
    session.commit()


def _auto_send(session: Session) -> bool:
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    return row is not None and row.outbox_auto_send


def get_auto_send(*, session: Session, actor: SessionUser) -> bool:
    """Whether the background sender sends e-mails without the agency's review."""
    require_staff(actor)
    return _auto_send(session)


def set_auto_send(*, session: Session, actor: SessionUser, enabled: bool) -> bool:
    """Choose automatic sending or manual review (administrators only, journaled)."""
    if not (actor.is_agency and actor.is_admin) or actor.read_only:
        raise AccessDenied("Seul un administrateur peut changer le mode d'envoi.")
    if type(enabled) is not bool:
        raise ValueError("Réglage invalide.")
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is None:  # never configured: start from the identity in the environment
        row = AgencySettings(id=AGENCY_SETTINGS_ID, name=get_settings().agency_name)
        session.add(row)
    row.outbox_auto_send = enabled
    record_event(
        session=session,
        action="outbox.auto_send",
        actor_user_id=actor.user_id,
        target_type="agency_settings",
        target_id=AGENCY_SETTINGS_ID,
        detail={"auto_send": enabled},
    )
    session.commit()
    return enabled


# --- Sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """Which rows one call of send_pending may claim."""

    include_held: bool
    kinds: tuple[str, ...] | None
    claim_timeout: timedelta
    max_attempts: int
    ids: tuple[int, ...] | None = None

    def claimable(self, now: datetime) -> ColumnElement[bool]:
        if self.ids is not None:  # a person chose these rows: send them now, whatever the date
            ready: ColumnElement[bool] = true()
        else:
            due = col(OutboxEmail.next_attempt_at) <= now
            held = col(OutboxEmail.next_attempt_at).is_(None)
            ready = or_(due, held) if self.include_held else due
        condition = and_(
            # Claiming counts an attempt: a row at the maximum is ended by _end_exhausted.
            col(OutboxEmail.attempts) < self.max_attempts,
            or_(
                and_(OutboxEmail.status == OutboxStatus.PENDING, ready),
                and_(OutboxEmail.status == OutboxStatus.SENDING, self.stale(now)),
            ),
        )
        return self.restrict(condition)

    def restrict(self, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        """`condition`, limited to the chosen rows and kinds."""
        if self.ids is not None:
            condition = and_(condition, col(OutboxEmail.id).in_(self.ids))
        if self.kinds is not None:
            wanted = col(OutboxEmail.kind).in_(self.kinds) if self.kinds else false()
            condition = and_(condition, wanted)
        return condition

    def stale(self, now: datetime) -> ColumnElement[bool]:
        """A claim whose sender died (or hangs) and that another sender may take over."""
        return col(OutboxEmail.claimed_at) < now - self.claim_timeout


@dataclass
class _Batch:
    token: str
    messages: list[tuple[int, int, OutgoingEmail]] = field(default_factory=list)  # id, attempts
    claimed: int = 0
    cancelled: int = 0
    more_waiting: bool = False


def send_pending(
    *,
    session_factory: SessionFactory,
    transport: Transport,
    clock: Callable[[], datetime] = utcnow,
    batch_size: int = DEFAULT_BATCH_SIZE,
    worker_id: str = "sender",
    include_held: bool = False,
    email_ids: Sequence[int] | None = None,
    kinds: Collection[str] | None = None,
    policy: RetryPolicy | None = None,
    claim_timeout: timedelta = DEFAULT_CLAIM_TIMEOUT,
) -> SendReport:
    """Claim due e-mails batch by batch, send each batch over one connection, record results
    (with the agency's retry policy unless `policy` is given)."""
    if policy is None:
        with session_factory() as session:
            policy = retry_policy(session)
    sender = _Sender(session_factory, transport, clock, batch_size, worker_id, policy)
    kinds_tuple = tuple(kinds) if kinds is not None else None
    if email_ids is None:
        sender.run(_Scope(include_held, kinds_tuple, claim_timeout, policy.max_attempts))
        return sender.report
    ids = checked_ids(list(email_ids))
    for start in range(0, len(ids), batch_size):
        chunk = tuple(ids[start : start + batch_size])
        sender.run(_Scope(True, kinds_tuple, claim_timeout, policy.max_attempts, chunk))
    return sender.report


def send_due_emails(
    *,
    session_factory: SessionFactory,
    transport: Transport,
    worker_id: str = "worker",
    clock: Callable[[], datetime] = utcnow,
) -> SendReport:
    """The background sender's periodic call: due rows go; rows awaiting review only when
    sending is automatic."""
    with session_factory() as session:
        automatic = _auto_send(session)
    return send_pending(
        session_factory=session_factory,
        transport=transport,
        clock=clock,
        worker_id=worker_id,
        include_held=automatic,
    )


# Claims lost to another sender in a row before giving up (the other sender is busy with them).
_MAX_LOST_CLAIMS = 5


@dataclass
class _Sender:
    """One call of send_pending: its collaborators and the report it fills."""

    session_factory: SessionFactory
    transport: Transport
    clock: Callable[[], datetime]
    batch_size: int
    worker_id: str
    policy: RetryPolicy
    report: SendReport = field(default_factory=SendReport)

    def run(self, scope: _Scope) -> None:
        """Send batches while rows are due; an explicit selection is claimed only once."""
        self.end_exhausted(scope)
        lost_claims = 0
        while lost_claims < _MAX_LOST_CLAIMS:
            batch = self.claim(scope)
            if batch.claimed == 0:
                if not batch.more_waiting:
                    return
                lost_claims += 1
                continue
            lost_claims = 0
            self.deliver(batch)
            if scope.ids is not None:
                return

    def claim(self, scope: _Scope) -> _Batch:
        """Mark up to batch_size rows as ours in one UPDATE, then prepare their messages."""
        now = self.clock()
        batch = _Batch(token=f"{self.worker_id[:80]}:{secrets.token_hex(8)}")
        claimable = scope.claimable(now)
        candidates = (
            select(OutboxEmail.id).where(claimable).order_by(OutboxEmail.id).limit(self.batch_size)
        )
        with self.session_factory() as session:
            # The status test is repeated in the UPDATE itself: when two senders pick the same
            # candidates, the database lets only the first UPDATE match (SQLite and PostgreSQL).
            batch.claimed = session.exec(
                update(OutboxEmail)
                .where(col(OutboxEmail.id).in_(candidates), claimable)
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_by=batch.token,
                    claimed_at=now,
                    attempts=OutboxEmail.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if batch.claimed == 0:
                session.rollback()
                waiting = select(OutboxEmail.id).where(claimable).limit(1)
                batch.more_waiting = session.exec(waiting).first() is not None
                return batch
            _prepare_messages(session, batch, now)
            session.commit()
        return batch

    def end_exhausted(self, scope: _Scope) -> None:
        """Fail visibly the rows that may not be tried again: the maximum of attempts is reached
        (a sender died during the last one, or the agency lowered the maximum)."""
        now = self.clock()
        with self.session_factory() as session:
            self.report.failed += _end_exhausted(session, scope, now)
            session.commit()

    def deliver(self, batch: _Batch) -> None:
        """Send the batch over one connection, then record every outcome."""
        outgoing = [message for _, _, message in batch.messages]
        results: list[DeliveryResult] = []
        answers = deliveries(self.transport, outgoing) if outgoing else iter(())
        with self.session_factory() as session:
            engine = session.get_bind()
        # A bare connection: half the cost of a session transaction per message.
        with engine.connect() as connection:
            for (row_id, _, _), result in zip(batch.messages, answers, strict=True):
                results.append(result)
                if result.sent:
                    # Committed before the next message leaves: a sender killed mid-batch
                    # leaves at most one accepted message unrecorded (sent again: one duplicate).
                    _mark_sent(connection, batch.token, row_id, self.clock())
        _record_results(
            self.session_factory, self.clock(), batch, results, self.policy, self.report
        )
        self.report.claimed += batch.claimed
        self.report.cancelled += batch.cancelled
        self.report.batches += 1


def _prepare_messages(session: Session, batch: _Batch, now: datetime) -> None:
    rows = session.exec(
        select(OutboxEmail)
        .where(OutboxEmail.claimed_by == batch.token, OutboxEmail.status == OutboxStatus.SENDING)
        .order_by(OutboxEmail.id)
    ).all()
    context = SendingContext(now=now, agency=get_agency_identity(session=session))
    finalized = _finalize(session, rows, context)
    for row in rows:
        if row.id in finalized.skipped:
            row.status, row.last_error = OutboxStatus.CANCELLED, finalized.skipped[row.id][:2000]
            batch.cancelled += 1
            continue
        content = finalized.contents.get(row.id) or EmailContent(
            row.subject, row.body_text, row.body_html
        )
        message = OutgoingEmail(
            message_id=row.message_id,
            to_address=row.to_address,
            to_name=row.to_name,
            subject=content.subject,
            text=content.text,
            html=content.html,
            from_name=context.agency.name,
            reply_to=context.agency.email,
        )
        batch.messages.append((row.id, row.attempts, message))


def _finalize(session: Session, rows: Sequence[OutboxEmail], context: SendingContext) -> Finalized:
    """Run each kind's finalizer once on that kind's rows; rows of other kinds go as stored."""
    finalized = Finalized()
    for kind, finalizer in _finalizers().items():
        of_kind = [row for row in rows if row.kind == kind]
        if of_kind:
            result = finalizer(session, of_kind, context)
            finalized.contents.update(result.contents)
            finalized.skipped.update(result.skipped)
    return finalized


def _finalizers() -> dict[str, Finalizer]:
    # Imported here because access_codes queues its e-mails through this module.
    from extranet_app.services import access_codes

    return {
        EmailKind.ACCESS_CODE: access_codes.finalize_access_code_emails,
        EmailKind.PASSWORD_RESET: access_codes.finalize_password_reset_emails,
    }


def _outcome(
    result: DeliveryResult, attempts: int, now: datetime, policy: RetryPolicy
) -> tuple[str, datetime | None, str]:
    """Status, next attempt and error text of a row after one delivery attempt."""
    if result.outcome is Delivery.SENT:
        return OutboxStatus.SENT, None, ""
    if result.outcome is Delivery.TEMPORARY_FAILURE and attempts < policy.max_attempts:
        return OutboxStatus.PENDING, now + policy.delay_after(attempts), result.error
    return OutboxStatus.FAILED, None, result.error


def _record_results(
    session_factory: SessionFactory,
    now: datetime,
    batch: _Batch,
    results: list[DeliveryResult],
    policy: RetryPolicy,
    report: SendReport,
) -> None:
    """Write every failure in one transaction, grouping rows that end alike into one UPDATE
    (sent rows were recorded one by one as they went out); count and audit them all."""
    groups: dict[tuple[str, datetime | None, str], list[int]] = defaultdict(list)
    for (row_id, attempts, _), result in zip(batch.messages, results, strict=True):
        groups[_outcome(result, attempts, now, policy)].append(row_id)
    with session_factory() as session:
        for (status, next_attempt_at, error), ids in groups.items():
            if status != OutboxStatus.SENT:
                _apply_outcome(session, batch.token, ids, status, next_attempt_at, error, now)
            _count(report, status, len(ids))
            _audit_access_codes(session, ids, status, error)
        session.commit()


def _apply_outcome(
    session: Session,
    token: str,
    ids: list[int],
    status: str,
    next_attempt_at: datetime | None,
    error: str,
    now: datetime,
) -> None:
    values: dict[str, Any] = {"status": status, "next_attempt_at": next_attempt_at}
    values["last_error"] = error[:2000]
    if status == OutboxStatus.SENT:
        values["sent_at"] = now
    # Only rows still claimed by this batch: a row taken over after a timeout is the new
    # claimer's to record.
    session.exec(
        update(OutboxEmail)
        .where(
            col(OutboxEmail.id).in_(ids),
            OutboxEmail.claimed_by == token,
            OutboxEmail.status == OutboxStatus.SENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


_OUTBOX = OutboxEmail.__table__
# Built once: a commit per message must cost little next to the SMTP exchange (a tenth of a ms).
_MARK_SENT = (
    sa_update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("row_id"),
        _OUTBOX.c.claimed_by == bindparam("token"),
        _OUTBOX.c.status == OutboxStatus.SENDING,
    )
    .values(status=OutboxStatus.SENT, next_attempt_at=None, last_error="", sent_at=bindparam("now"))
)


def _mark_sent(connection: Connection, token: str, row_id: int, now: datetime) -> None:
    """Record one accepted message at once, in its own transaction."""
    connection.execute(_MARK_SENT, {"row_id": row_id, "token": token, "now": now})
    connection.commit()


def _end_exhausted(session: Session, scope: _Scope, now: datetime) -> int:
    """Rows at the maximum of attempts still to send, or claimed by a dead sender: failed."""
    maximum = scope.max_attempts
    cases = (
        (
            and_(
                OutboxEmail.status == OutboxStatus.PENDING,
                col(OutboxEmail.next_attempt_at).is_not(None),
            ),
            f"Nombre maximal de tentatives atteint ({maximum}). ",
        ),
        (
            and_(OutboxEmail.status == OutboxStatus.SENDING, scope.stale(now)),
            f"Envoi interrompu pendant la dernière tentative permise ({maximum} au plus) : "
            "l'e-mail a peut-être été reçu. ",
        ),
    )
    ended = 0
    for condition, reason in cases:
        where = scope.restrict(and_(condition, col(OutboxEmail.attempts) >= maximum))
        ids = list(session.exec(select(OutboxEmail.id).where(where)).all())
        if not ids:
            continue
        ended += session.exec(
            update(OutboxEmail)
            .where(col(OutboxEmail.id).in_(ids), where)
            .values(
                status=OutboxStatus.FAILED,
                next_attempt_at=None,
                last_error=func.substr(reason + OutboxEmail.last_error, 1, 2000),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        _audit_access_codes(session, ids, OutboxStatus.FAILED, reason)
    return ended


def _count(report: SendReport, status: str, count: int) -> None:
    if status == OutboxStatus.SENT:
        report.sent += count
    elif status == OutboxStatus.PENDING:
        report.retry_scheduled += count
    else:
        report.failed += count


def _audit_access_codes(session: Session, ids: list[int], status: str, error: str) -> None:
    """The journal shows when each person's access code was sent or failed."""
    if status == OutboxStatus.PENDING:
        return
    rows = session.exec(
        select(OutboxEmail.id, OutboxEmail.user_id).where(
            col(OutboxEmail.id).in_(ids), OutboxEmail.kind == EmailKind.ACCESS_CODE
        )
    ).all()
    sent = status == OutboxStatus.SENT
    record_user_events(
        session=session,
        action="access_code.sent" if sent else "access_code.failed",
        user_ids=[user_id for _, user_id in rows],
        allowed=sent,
        details=[
            {"outbox_id": outbox_id} | ({"error": error[:500]} if error else {})
            for outbox_id, _ in rows
        ],
    )
