"""Gestion des accès: which tenants and owners have a login, and what the agency does about it.

The status of a person is derived, never stored: no login linked (non inscrit), a login waiting
for its access code e-mail (inscrit – code à envoyer), an access code e-mail queued or sent
(code envoyé), a chosen password (activé), a disabled login (désactivé). It is computed in SQL,
so that the list filters, sorts and counts 50 000 people in the database; a page is found by its
ids alone, then only its rows are read (benchmarks/bench_access_management.py has the figures).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, or_, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from extranet_app.models import (
    Lease,
    LeaseTenant,
    Lot,
    OutboxEmail,
    OutboxStatus,
    Owner,
    Ownership,
    Property,
    Tenant,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.services.access_codes import queue_access_code_emails
from extranet_app.services.audit import record_event
from extranet_app.services.auth import (
    SessionUser,
    normalize_email,
    require_staff,
    revoke_all_sessions,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_datetime
from extranet_app.services.outbox import EmailKind, checked_ids, record_user_events
from extranet_app.services.paging import page_count
from extranet_app.services.personal_data import is_anonymised
from extranet_app.services.timekeeping import today_in_france
from extranet_app.settings import get_settings

Person = Tenant | Owner
# SQLite accepts 32 766 parameters per statement; chunks keep every IN (...) far below that.
CHUNK_SIZE = 500
MAX_PAGE_SIZE = 200
MAX_SEARCH_WORDS = 6
_EMAIL_PATTERN = re.compile(
    r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[^@\s<>,;:\"()\[\]\\]+$"
)
# An access code e-mail in one of these statuses means "code envoyé" (or about to be).
_CODE_GIVEN = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.SENT)
_CODE_WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


class PersonKind(StrEnum):
    """The two lists of the screen; the value is what the page sends."""

    TENANT = "locataires"
    OWNER = "proprietaires"

    @property
    def model(self) -> type[Tenant] | type[Owner]:
        return Tenant if self is PersonKind.TENANT else Owner

    @property
    def target_type(self) -> str:
        return "tenant" if self is PersonKind.TENANT else "owner"


class AccessStatus(StrEnum):
    """Where a person stands with their login, in the order of the enrolment flow."""

    NOT_ENROLLED = "non_inscrit"
    CODE_TO_SEND = "code_a_envoyer"
    CODE_SENT = "code_envoye"
    ACTIVATED = "active"
    DEACTIVATED = "desactive"


STATUS_LABELS = {
    AccessStatus.NOT_ENROLLED: "Non inscrit",
    AccessStatus.CODE_TO_SEND: "Inscrit – code à envoyer",
    AccessStatus.CODE_SENT: "Code envoyé",
    AccessStatus.ACTIVATED: "Activé",
    AccessStatus.DEACTIVATED: "Désactivé",
}
_STATUS_ORDER = list(AccessStatus)


class SortKey(StrEnum):
    NAME = "nom"
    STATUS = "statut"
    EMAIL = "email"


ANONYMISED = "Personne anonymisée (RGPD) : elle ne peut plus recevoir d'accès."


class InvalidEmail(ValueError):
    """An e-mail address the agency typed that cannot be used; the message is in French."""


@dataclass(frozen=True)
class AccessQuery:
    """What the list shows: which people, filtered, searched and sorted how."""

    kind: PersonKind = PersonKind.TENANT
    search: str = ""
    status: AccessStatus | None = None
    without_email: bool = False
    sort: SortKey = SortKey.NAME
    descending: bool = False


@dataclass(frozen=True)
class AccessRow:
    """One person as the list shows them; `position` is the row's place in the page."""

    position: int
    name: str
    email: str  # "" when the profile has none
    external_ref: str
    places: str  # the current lease's lot (tenants) or the number of lots (owners)
    status: str
    status_label: str
    status_detail: str  # when the code was queued or sent, or why it was not
    last_login: str
    enrolled: bool
    two_factor: bool = False  # their login uses two-factor authentication


@dataclass(frozen=True)
class PersonKey:
    """The database ids behind a row; the state keeps them, the browser never sees them."""

    person_id: int
    user_id: int | None


@dataclass(frozen=True)
class AccessPage:
    """One page of the list, with the total for the pager."""

    rows: tuple[AccessRow, ...]
    keys: tuple[PersonKey, ...]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


@dataclass(frozen=True)
class StatusCounts:
    """How many people of the list (with its search) are in each status, and lack an e-mail."""

    by_status: dict[AccessStatus, int]
    without_email: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class EnrolmentResult:
    """What "Inscrire" did: `linked_existing` of the `enrolled` got the login they already had."""

    enrolled: int = 0
    linked_existing: int = 0
    already_enrolled: int = 0
    missing_email: int = 0
    invalid_email: int = 0
    staff_address: int = 0  # the address is an agency staff login: never shared with a profile

    @property
    def left_aside(self) -> int:
        """How many of the people were not enrolled by this action."""
        return self.already_enrolled + self.missing_email + self.invalid_email + self.staff_address


@dataclass(frozen=True)
class TransferResult:
    """What transferring access codes to the centre d'envoi did."""

    queued: int = 0
    already_waiting: int = 0
    already_sent: int = 0
    not_enrolled: int = 0
    activated: int = 0
    deactivated: int = 0

    @property
    def left_aside(self) -> int:
        """How many of the people got no new access code e-mail from this action."""
        return (
            self.already_waiting
            + self.already_sent
            + self.not_enrolled
            + self.activated
            + self.deactivated
        )


@dataclass(frozen=True)
class ActivationResult:
    """What "Désactiver" or "Réactiver" did."""

    changed: int = 0
    unchanged: int = 0
    not_enrolled: int = 0
    staff_skipped: int = 0
    sessions_ended: int = 0

    @property
    def left_aside(self) -> int:
        """How many of the people were not changed by this action."""
        return self.unchanged + self.not_enrolled + self.staff_skipped


ResultT = TypeVar("ResultT", EnrolmentResult, TransferResult, ActivationResult)


# --- Status, search and sorting in SQL -----------------------------------------------------------


def _code_holders() -> Select:
    """Users with an access code e-mail queued or sent (non-null: NOT IN must see no NULL)."""
    return select(OutboxEmail.user_id).where(
        OutboxEmail.kind == EmailKind.ACCESS_CODE,
        col(OutboxEmail.status).in_(_CODE_GIVEN),
        col(OutboxEmail.user_id).is_not(None),
    )


def _holds_code(person: type[Person], *, few_rows: bool) -> ColumnElement[bool]:
    """Whether the person's login has an access code e-mail queued or sent. Over many rows, one
    list of holders is cheapest; for the rows of one page, a lookup each."""
    if not few_rows:
        return col(person.user_id).in_(_code_holders())
    return (
        select(OutboxEmail.id)
        .where(
            col(OutboxEmail.user_id) == person.user_id,
            OutboxEmail.kind == EmailKind.ACCESS_CODE,
            col(OutboxEmail.status).in_(_CODE_GIVEN),
        )
        .exists()
    )


def _status_rank(person: type[Person], *, few_rows: bool = False) -> ColumnElement[int]:
    """The person's status as its index in AccessStatus (also the sort order)."""
    return case(
        (col(person.user_id).is_(None), 0),
        (col(User.is_active).is_(False), 4),
        (col(User.activated_at).is_not(None), 3),
        (_holds_code(person, few_rows=few_rows), 2),
        else_=1,
    )


def _status_condition(person: type[Person], status: AccessStatus) -> ColumnElement[bool]:
    not_activated = and_(
        col(person.user_id).is_not(None),
        col(User.is_active).is_(True),
        col(User.activated_at).is_(None),
    )
    conditions = {
        AccessStatus.NOT_ENROLLED: col(person.user_id).is_(None),
        AccessStatus.CODE_TO_SEND: and_(not_activated, col(person.user_id).not_in(_code_holders())),
        AccessStatus.CODE_SENT: and_(not_activated, col(person.user_id).in_(_code_holders())),
        AccessStatus.ACTIVATED: and_(
            col(User.is_active).is_(True), col(User.activated_at).is_not(None)
        ),
        AccessStatus.DEACTIVATED: col(User.is_active).is_(False),
    }
    return conditions[status]


def _contains(column: Any, word: str, dialect: str) -> ColumnElement[bool]:
    """Case-insensitive substring test. SQLite's LIKE already ignores ASCII case, and lower()
    on every column would cost a third of the scan; PostgreSQL needs ILIKE."""
    if dialect == "sqlite":
        return col(column).contains(word, autoescape=True)
    return col(column).icontains(word, autoescape=True)


def _places_matching(kind: PersonKind, word: str, dialect: str) -> Select:
    """Ids of the people with a lot whose reference, or whose building's name, has `word`."""
    buildings = select(Property.id).where(_contains(Property.name, word, dialect))
    lots = select(Lot.id).where(
        or_(_contains(Lot.reference, word, dialect), col(Lot.property_id).in_(buildings))
    )
    if kind is PersonKind.TENANT:
        return (
            select(LeaseTenant.tenant_id)
            .join(Lease, col(Lease.id) == LeaseTenant.lease_id)
            .where(col(Lease.lot_id).in_(lots))
        )
    return select(Ownership.owner_id).where(col(Ownership.lot_id).in_(lots))


def _search_condition(session: Session, kind: PersonKind, search: str) -> ColumnElement[bool]:
    """Every word of the search is in the name, e-mail, reference, a lot or a building."""
    person, dialect = kind.model, _dialect(session)
    columns = (
        person.last_name,
        person.first_name,
        person.company_name,
        person.email,
        person.external_ref,
    )
    conditions = []
    for word in search.lower().split()[:MAX_SEARCH_WORDS]:
        terms = [_contains(column, word, dialect) for column in columns]
        places = _places_condition(session, kind, word, dialect)
        conditions.append(or_(*terms, *([places] if places is not None else [])))
    return and_(true(), *conditions)


def _places_condition(
    session: Session, kind: PersonKind, word: str, dialect: str
) -> ColumnElement[bool] | None:
    """The people with a lot whose reference or building has `word`, or None when no place has
    it (most searches are names: checking costs a few milliseconds, the lookup many more)."""
    buildings = select(func.count()).where(_contains(Property.name, word, dialect))
    matching, all_buildings = session.exec(buildings).one(), session.exec(_count(Property)).one()
    if matching == 0 and session.exec(_lots_with_reference(word, dialect).limit(1)).first() is None:
        return None
    person = kind.model
    if matching == all_buildings:  # "résidence", "rue": everyone with a lot has it
        link = LeaseTenant.tenant_id if kind is PersonKind.TENANT else Ownership.owner_id
        return select(link).where(link == person.id).exists()
    return col(person.id).in_(_places_matching(kind, word, dialect))


def _lots_with_reference(word: str, dialect: str) -> Select:
    return select(Lot.id).where(_contains(Lot.reference, word, dialect))


def _count(model: Any) -> Select:
    return select(func.count()).select_from(model)


def _where(session: Session, query: AccessQuery) -> ColumnElement[bool]:
    person = query.kind.model
    conditions = [_search_condition(session, query.kind, query.search)]
    if query.status is not None:
        conditions.append(_status_condition(person, query.status))
    if query.without_email:
        conditions.append(or_(col(person.email).is_(None), col(person.email) == ""))
    return and_(*conditions)


def _order_by(query: AccessQuery) -> list[Any]:
    """Sort keys that the indexes serve: (sort_name, id) and (email, id)."""
    person = query.kind.model
    keys: list[Any] = {
        SortKey.NAME: [col(person.sort_name), col(person.id)],
        SortKey.EMAIL: [col(person.email), col(person.id)],
        SortKey.STATUS: [_status_rank(person), col(person.sort_name), col(person.id)],
    }[query.sort]
    if query.descending:
        keys[0] = keys[0].desc()
        keys[-1] = keys[-1].desc()
    return keys


def _joined(statement: Select, person: type[Person], *, login: bool = True) -> Select:
    """`statement` on the person table, with their login when the statement reads it."""
    statement = statement.select_from(person)
    return statement.outerjoin(User, col(User.id) == person.user_id) if login else statement


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- Listing ---------------------------------------------------------------------------------


def list_people(
    *,
    session: Session,
    actor: SessionUser,
    query: AccessQuery,
    page: int = 1,
    page_size: int = 50,
) -> AccessPage:
    """One page of tenants or owners with their access status (agency staff only)."""
    require_staff(actor)
    page, page_size = max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)
    if query.sort is SortKey.STATUS and query.status is not None:  # one status: sort by name
        query = replace(query, sort=SortKey.NAME)
    ids, total = _page_ids(session, query, (page - 1) * page_size, page_size)
    if not ids and total and page > 1:  # past the end, e.g. people left the filter meanwhile
        page = -(-total // page_size)
        ids, total = _page_ids(session, query, (page - 1) * page_size, page_size)
    rows, keys = _describe(session, query.kind, ids)
    return AccessPage(rows, keys, total, page, page_size)


def _page_ids(
    session: Session, query: AccessQuery, offset: int, limit: int
) -> tuple[list[int], int]:
    """The ids of one page and the number of matches, by the cheapest plan for the query.

    Only ids are sorted and skipped: reading the rows themselves for 49 950 skipped people is
    what makes deep pages slow."""
    person = query.kind.model
    if query.search.strip():
        return _searched_ids(session, query, offset, limit)
    if query.sort is SortKey.STATUS and query.status is None:
        return _status_sorted_ids(session, query, offset, limit)
    where, login = _where(session, query), query.status is not None
    total = session.exec(_joined(select(func.count()), person, login=login).where(where)).one()
    statement = _joined(select(person.id), person, login=login).where(where)
    statement = statement.order_by(*_order_by(query))
    return list(session.exec(statement.offset(offset).limit(limit)).all()), total


def _searched_ids(
    session: Session, query: AccessQuery, offset: int, limit: int
) -> tuple[list[int], int]:
    """A search reads every person anyway: the page and the count come from that one pass."""
    person, where = query.kind.model, _where(session, query)
    login = query.status is not None or query.sort is SortKey.STATUS
    statement = _joined(select(person.id, func.count().over()), person, login=login)
    statement = statement.where(where).order_by(*_order_by(query))
    found = session.exec(statement.offset(offset).limit(limit)).all()
    if found:
        return [person_id for person_id, _ in found], found[0][1]
    if offset == 0:
        return [], 0
    return [], session.exec(_joined(select(func.count()), person, login=login).where(where)).one()


def _status_sorted_ids(
    session: Session, query: AccessQuery, offset: int, limit: int
) -> tuple[list[int], int]:
    """Sorted by status: the counts per status say which status groups the page spans, and
    each group is read in name order through the indexes (sorting every status is slower)."""
    person = query.kind.model
    counts = _counts_by_status(session, query.kind, _where(session, query))
    ids: list[int] = []
    for status in reversed(_STATUS_ORDER) if query.descending else _STATUS_ORDER:
        if len(ids) >= limit:
            break
        if offset >= counts[status]:
            offset -= counts[status]
            continue
        group = replace(query, status=status, sort=SortKey.NAME, descending=False)
        statement = _joined(select(person.id), person).where(_where(session, group))
        statement = statement.order_by(*_order_by(group)).offset(offset).limit(limit - len(ids))
        ids.extend(session.exec(statement).all())
        offset = 0
    return ids, sum(counts.values())


def _counts_by_status(
    session: Session, kind: PersonKind, where: ColumnElement[bool]
) -> dict[AccessStatus, int]:
    rank = _status_rank(kind.model)
    statement = _joined(select(rank, func.count()), kind.model).where(where).group_by(rank)
    counts = dict.fromkeys(AccessStatus, 0)
    for found_rank, count in session.exec(statement).all():
        counts[_STATUS_ORDER[found_rank]] = count
    return counts


def _describe(
    session: Session, kind: PersonKind, ids: list[int]
) -> tuple[tuple[AccessRow, ...], tuple[PersonKey, ...]]:
    """The rows of a page, in the order of `ids`, with their places and access code e-mails."""
    person = kind.model
    columns = (person.id, person.user_id, person.company_name, person.first_name)
    columns += (person.last_name, person.email, person.external_ref)
    rank = _status_rank(person, few_rows=True)
    statement = _joined(select(*columns, rank, User.last_login_at, User.totp_enabled_at), person)
    found = {row[0]: row for row in session.exec(statement.where(col(person.id).in_(ids)))}
    ordered = [found[person_id] for person_id in ids if person_id in found]
    places = _places(session, kind, [row[0] for row in ordered])
    codes = _latest_code_emails(session, [row[1] for row in ordered if row[1] is not None])
    rows = tuple(
        _row(position, row, places.get(row[0], "—"), codes.get(row[1], []))
        for position, row in enumerate(ordered)
    )
    return rows, tuple(PersonKey(row[0], row[1]) for row in ordered)


def _row(position: int, found: Any, places: str, code_emails: list[_CodeEmail]) -> AccessRow:
    _, user_id, company, first_name, last_name, email, external_ref, rank, last_login, totp = found
    status = _STATUS_ORDER[rank]
    return AccessRow(
        position=position,
        name=_display_name(company, first_name, last_name),
        email=email or "",
        external_ref=external_ref or "",
        places=places,
        status=status.value,
        status_label=STATUS_LABELS[status],
        status_detail=_status_detail(status, code_emails),
        last_login=_moment(last_login) if last_login else "Jamais",
        enrolled=user_id is not None,
        two_factor=totp is not None,
    )


def _moment(moment: datetime) -> str:
    return format_datetime(moment, separator=" à ")


def _display_name(company: str, first_name: str, last_name: str) -> str:
    return company or " ".join(part for part in (first_name, last_name) if part) or "(sans nom)"


@dataclass(frozen=True)
class _CodeEmail:
    status: str
    created_at: datetime
    sent_at: datetime | None


def _latest_code_emails(session: Session, user_ids: list[int]) -> dict[int, list[_CodeEmail]]:
    """Each user's access code e-mails, oldest first."""
    rows = session.exec(
        select(OutboxEmail.user_id, OutboxEmail.status, OutboxEmail.created_at, OutboxEmail.sent_at)
        .where(
            col(OutboxEmail.user_id).in_(user_ids),
            OutboxEmail.kind == EmailKind.ACCESS_CODE,
            # Every status: without it SQLite walks all access code rows of the (kind, status,
            # user_id) index instead of seeking the page's users in it.
            col(OutboxEmail.status).in_(list(OutboxStatus)),
        )
        .order_by(col(OutboxEmail.id))
    ).all()
    emails: dict[int, list[_CodeEmail]] = defaultdict(list)
    for user_id, status, created_at, sent_at in rows:
        emails[user_id].append(_CodeEmail(status, created_at, sent_at))
    return emails


def _status_detail(status: AccessStatus, emails: list[_CodeEmail]) -> str:
    """When the code went (or waits) to go, and whether it may have expired since."""
    given = [email for email in emails if email.status in _CODE_GIVEN]
    if status is AccessStatus.CODE_SENT and given and given[-1].sent_at is not None:
        sent_at = given[-1].sent_at
        valid = timedelta(days=get_settings().access_code_valid_days)
        expired = " — code expiré" if utcnow() > sent_at + valid else ""
        return f"Envoyé le {format_datetime(sent_at, separator=' à ')}{expired}"
    if status is AccessStatus.CODE_SENT and given:
        return (
            f"Au centre d'envoi depuis le {format_datetime(given[-1].created_at, separator=' à ')}"
        )
    last = emails[-1].status if emails and status is AccessStatus.CODE_TO_SEND else None
    if last == OutboxStatus.FAILED:
        return "Dernier envoi en échec : voir le centre d'envoi"
    if last == OutboxStatus.CANCELLED:
        return "Dernier envoi annulé"
    return ""


def _places(session: Session, kind: PersonKind, person_ids: list[int]) -> dict[int, str]:
    if kind is PersonKind.TENANT:
        return _tenant_places(session, person_ids, today_in_france())
    return _owner_places(session, person_ids)


def _tenant_places(session: Session, tenant_ids: list[int], today: date) -> dict[int, str]:
    """Each tenant's current lease's lot; else their last lease's lot, marked as ended."""
    rows = session.exec(
        select(
            LeaseTenant.tenant_id, Lot.reference, Property.name, Lease.start_date, Lease.end_date
        )
        .join(Lease, col(Lease.id) == LeaseTenant.lease_id)
        .join(Lot, col(Lot.id) == Lease.lot_id)
        .join(Property, col(Property.id) == Lot.property_id)
        .where(col(LeaseTenant.tenant_id).in_(tenant_ids))
        .order_by(col(Lease.start_date))
    ).all()
    current: dict[int, list[str]] = defaultdict(list)
    ended: dict[int, str] = {}
    for tenant_id, reference, building, start, end in rows:
        label = f"{building} — lot {reference}"
        if end is not None and end < today:
            ended[tenant_id] = f"{label} (bail terminé)"
        elif start <= today:
            current[tenant_id].append(label)
        else:
            ended.setdefault(tenant_id, f"{label} (bail à venir)")
    return {**ended, **{tenant_id: ", ".join(labels) for tenant_id, labels in current.items()}}


def _owner_places(session: Session, owner_ids: list[int]) -> dict[int, str]:
    """Each owner's number of lots, and the buildings they are in."""
    rows = session.exec(
        select(Ownership.owner_id, Property.name, func.count())
        .join(Lot, col(Lot.id) == Ownership.lot_id)
        .join(Property, col(Property.id) == Lot.property_id)
        .where(col(Ownership.owner_id).in_(owner_ids))
        .group_by(Ownership.owner_id, Property.name)
        .order_by(Property.name)
    ).all()
    lots: dict[int, int] = defaultdict(int)
    buildings: dict[int, list[str]] = defaultdict(list)
    for owner_id, building, count in rows:
        lots[owner_id] += count
        buildings[owner_id].append(building)
    return {
        owner_id: f"{_plural(count, 'lot', 'lots')} — {_short_list(buildings[owner_id])}"
        for owner_id, count in lots.items()
    }


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _short_list(names: list[str], shown: int = 2) -> str:
    more = len(names) - shown
    tail = f" et {_plural(more, 'autre', 'autres')}" if more > 0 else ""
    return ", ".join(names[:shown]) + tail


def count_statuses(
    *, session: Session, actor: SessionUser, kind: PersonKind, search: str = ""
) -> StatusCounts:
    """How many people of the list, with this search, are in each status (staff only)."""
    require_staff(actor)
    person, where = kind.model, _search_condition(session, kind, search)
    without_email = or_(col(person.email).is_(None), col(person.email) == "")
    missing = session.exec(_joined(select(func.count()), person).where(where, without_email))
    return StatusCounts(_counts_by_status(session, kind, where), missing.one())


def matching_person_ids(*, session: Session, actor: SessionUser, query: AccessQuery) -> list[int]:
    """Ids of every person the query matches (for "select all N"), in id order."""
    require_staff(actor)
    person = query.kind.model
    statement = _joined(select(person.id), person).where(_where(session, query))
    return list(session.exec(statement.order_by(col(person.id))).all())


# --- Enrolment -----------------------------------------------------------------------------


def _chunks(values: Sequence[int], size: int = CHUNK_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _people(session: Session, kind: PersonKind, person_ids: Sequence[int]) -> list[Person]:
    model = kind.model
    found: list[Person] = []
    for chunk in _chunks(person_ids):
        # populate_existing: the links are written with Core, behind the session's back.
        statement = select(model).where(col(model.id).in_(chunk))
        found.extend(session.exec(statement.execution_options(populate_existing=True)).all())
    return found


def checked_email(address: Any) -> str:
    """The address trimmed, or InvalidEmail with a French message (what the agency reads)."""
    if not isinstance(address, str) or not address.strip():
        raise InvalidEmail("Saisissez une adresse e-mail.")
    address = address.strip()
    if len(address) > 254 or not _EMAIL_PATTERN.match(address):
        raise InvalidEmail(f"« {address[:80]} » n'est pas une adresse e-mail valable.")
    return address


def _usable_email(address: str | None) -> str | None:
    try:
        return normalize_email(checked_email(address))
    except InvalidEmail:
        return None


@dataclass
class _EnrolmentPlan:
    """The people to enrol, by address, and how many were left aside and why."""

    by_email: dict[str, list[Person]]
    already_enrolled: int = 0
    missing_email: int = 0
    invalid_email: int = 0


def _plan_enrolment(people: Iterable[Person]) -> _EnrolmentPlan:
    plan = _EnrolmentPlan(by_email=defaultdict(list))
    for person in people:
        email = _usable_email(person.email)
        if person.user_id is not None:
            plan.already_enrolled += 1
        elif is_anonymised(person):
            plan.missing_email += 1  # anonymised: no address, and none may be added
        elif not (person.email or "").strip():
            plan.missing_email += 1
        elif email is None:
            plan.invalid_email += 1
        else:
            plan.by_email[email].append(person)
    return plan


def _insert_logins(session: Session, logins: dict[str, str]) -> None:
    """Create the logins that do not exist yet (no password), skipping any created meanwhile."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    rows = [
        {
            "email": email,
            "display_name": name[:200],
            "password_hash": None,
            "is_agency": False,
            "is_admin": False,
            "is_active": True,
            "email_notifications": True,
            "created_at": now,
        }
        for email, name in logins.items()
    ]
    statement = dialect.insert(User).on_conflict_do_nothing(index_elements=["email"])
    session.connection().execute(statement, rows)


def _logins_by_email(session: Session, emails: list[str]) -> dict[str, User]:
    statement = select(User).where(col(User.email).in_(emails))
    users = session.exec(statement.execution_options(populate_existing=True)).all()
    return {user.email: user for user in users}


def _link(session: Session, kind: PersonKind, links: list[tuple[int, int]]) -> set[int]:
    """Set user_id on people still without one; returns the ids of the people linked."""
    table = kind.model.__table__
    session.connection().execute(
        table.update()
        .where(table.c.id == bindparam("person"), table.c.user_id.is_(None))
        .values(user_id=bindparam("login")),
        [{"person": person_id, "login": user_id} for person_id, user_id in links],
    )
    wanted = dict(links)
    model = kind.model
    rows = session.exec(
        select(model.id, model.user_id).where(col(model.id).in_(list(wanted)))
    ).all()
    return {person_id for person_id, user_id in rows if wanted[person_id] == user_id}


def enrol_people(
    *, session: Session, actor: SessionUser, kind: PersonKind, person_ids: Sequence[int]
) -> EnrolmentResult:
    """Inscrire: give each person a login without password, or link the one their address
    already has (one login per address); audited, commits once (agency staff only)."""
    require_staff(actor)
    plan = _plan_enrolment(_people(session, kind, checked_ids(person_ids)))
    totals = EnrolmentResult(
        already_enrolled=plan.already_enrolled,
        missing_email=plan.missing_email,
        invalid_email=plan.invalid_email,
    )
    emails = list(plan.by_email)
    for chunk in range(0, len(emails), CHUNK_SIZE):
        part = {email: plan.by_email[email] for email in emails[chunk : chunk + CHUNK_SIZE]}
        totals = merge_results(totals, _enrol_chunk(session, actor, kind, part))
    session.commit()
    return totals


def _enrol_chunk(
    session: Session, actor: SessionUser, kind: PersonKind, by_email: dict[str, list[Person]]
) -> EnrolmentResult:
    existing = _logins_by_email(session, list(by_email))
    missing = {e: _profile_name(people[0]) for e, people in by_email.items() if e not in existing}
    if missing:
        _insert_logins(session, missing)
    logins = existing | _logins_by_email(session, list(missing))
    staff = {email for email, user in logins.items() if user.is_agency}
    links = [
        (person.id, logins[email].id)
        for email, people in by_email.items()
        if email not in staff
        for person in people
    ]
    linked = _link(session, kind, links) if links else set()
    reused = {logins[email].id for email in existing if email not in staff}
    _audit_enrolment(session, actor, kind, links, linked, reused)
    return EnrolmentResult(
        enrolled=len(linked),
        linked_existing=sum(
            1 for person_id, user_id in links if person_id in linked and user_id in reused
        ),
        already_enrolled=len(links) - len(linked),
        staff_address=sum(len(by_email[email]) for email in staff),
    )


def _profile_name(person: Person) -> str:
    return _display_name(person.company_name, person.first_name, person.last_name)


def _audit_enrolment(
    session: Session,
    actor: SessionUser,
    kind: PersonKind,
    links: list[tuple[int, int]],
    linked: set[int],
    reused: set[int],
) -> None:
    done = [(person_id, user_id) for person_id, user_id in links if person_id in linked]
    record_user_events(
        session=session,
        action="access.enrolled",
        user_ids=[user_id for _, user_id in done],
        actor_user_id=actor.user_id,
        details=[
            {f"{kind.target_type}_id": person_id, "existing_login": user_id in reused}
            for person_id, user_id in done
        ],
    )


def merge_results(first: ResultT, second: ResultT) -> ResultT:
    """The sum of two results of the same kind, field by field (a bulk action adds its chunks)."""
    names = [field.name for field in fields(first)]
    return type(first)(**{name: getattr(first, name) + getattr(second, name) for name in names})


def set_person_email(
    *, session: Session, actor: SessionUser, kind: PersonKind, person_id: int, email: str
) -> str:
    """Give a person not enrolled yet the e-mail address to enrol them with; audited, commits.
    Raises InvalidEmail (French message) or AccessDenied."""
    require_staff(actor)
    person = session.get(kind.model, checked_ids([person_id])[0], populate_existing=True)
    if person is None:
        raise AccessDenied("Personne introuvable.")
    if person.user_id is not None:
        raise InvalidEmail(
            "Cette personne est déjà inscrite : son adresse de connexion ne se change pas ici."
        )
    if is_anonymised(person):
        raise InvalidEmail(ANONYMISED)
    person.email = checked_email(email)
    record_event(
        session=session,
        action="access.email_added",
        actor_user_id=actor.user_id,
        target_type=kind.target_type,
        target_id=person.id,
    )
    session.commit()
    return person.email


# --- Access codes, deactivation ------------------------------------------------------------


def _statuses(
    session: Session, kind: PersonKind, person_ids: Sequence[int]
) -> dict[AccessStatus, list[int]]:
    """The login ids of the people, grouped by status (people without a login under their own)."""
    person = kind.model
    grouped: dict[AccessStatus, list[int]] = defaultdict(list)
    for chunk in _chunks(person_ids):
        statement = _joined(select(person.id, person.user_id, _status_rank(person)), person)
        for person_id, user_id, rank in session.exec(statement.where(col(person.id).in_(chunk))):
            status = _STATUS_ORDER[rank]
            grouped[status].append(person_id if status is AccessStatus.NOT_ENROLLED else user_id)
    # A login shared by two profiles (a tenant who is also an owner) counts once.
    return {status: list(dict.fromkeys(ids)) for status, ids in grouped.items()}


def _waiting_code_holders(session: Session, user_ids: list[int]) -> set[int]:
    waiting: set[int] = set()
    for chunk in _chunks(user_ids):
        waiting.update(
            session.exec(
                select(OutboxEmail.user_id).where(
                    col(OutboxEmail.user_id).in_(chunk),
                    OutboxEmail.kind == EmailKind.ACCESS_CODE,
                    col(OutboxEmail.status).in_(_CODE_WAITING),
                )
            ).all()
        )
    return waiting


def transfer_access_codes(
    *,
    session: Session,
    actor: SessionUser,
    kind: PersonKind,
    person_ids: Sequence[int],
    resend: bool = False,
) -> TransferResult:
    """Queue the access code e-mails of enrolled people in the centre d'envoi, for review; with
    `resend`, also for people already sent one (their new code replaces the old one when it
    goes). Commits once (agency staff only)."""
    require_staff(actor)
    grouped = _statuses(session, kind, list(dict.fromkeys(checked_ids(person_ids))))
    sent = grouped.get(AccessStatus.CODE_SENT, [])
    waiting = _waiting_code_holders(session, sent)
    eligible = grouped.get(AccessStatus.CODE_TO_SEND, [])
    if resend:
        eligible = eligible + [user_id for user_id in sent if user_id not in waiting]
    queued = queue_access_code_emails(session=session, actor=actor, user_ids=eligible)
    session.commit()
    return TransferResult(
        queued=queued.queued,
        already_waiting=len(waiting) + queued.already_queued,
        already_sent=0 if resend else len(sent) - len(waiting),
        not_enrolled=len(grouped.get(AccessStatus.NOT_ENROLLED, [])),
        activated=len(grouped.get(AccessStatus.ACTIVATED, [])),
        deactivated=len(grouped.get(AccessStatus.DEACTIVATED, [])) + queued.skipped_inactive,
    )


def set_logins_active(
    *,
    session: Session,
    actor: SessionUser,
    kind: PersonKind,
    person_ids: Sequence[int],
    active: bool,
) -> ActivationResult:
    """Désactiver (every login session of the person ends) or Réactiver their login; staff
    logins are never touched from here. Audited, commits once (agency staff only)."""
    require_staff(actor)
    model = kind.model
    ids = list(dict.fromkeys(checked_ids(person_ids)))
    user_ids: list[int] = []
    for chunk in _chunks(ids):
        user_ids.extend(session.exec(select(model.user_id).where(col(model.id).in_(chunk))).all())
    enrolled = list(dict.fromkeys(user_id for user_id in user_ids if user_id is not None))
    users = [user for chunk in _chunks(enrolled) for user in _users(session, chunk)]
    staff = [user for user in users if user.is_agency]
    to_change = [user for user in users if not user.is_agency and user.is_active != active]
    ended = _change_logins(session, actor, to_change, active)
    session.commit()
    return ActivationResult(
        changed=len(to_change),
        unchanged=len(users) - len(staff) - len(to_change),
        not_enrolled=len(user_ids) - sum(1 for user_id in user_ids if user_id is not None),
        staff_skipped=len(staff),
        sessions_ended=ended,
    )


def _users(session: Session, user_ids: list[int]) -> Sequence[User]:
    statement = select(User).where(col(User.id).in_(user_ids))
    return session.exec(statement.execution_options(populate_existing=True)).all()


def _change_logins(session: Session, actor: SessionUser, users: list[User], active: bool) -> int:
    ended: list[int] = []
    for user in users:
        user.is_active = active
        ended.append(0 if active else revoke_all_sessions(session=session, user_id=user.id))
    session.flush()
    record_user_events(
        session=session,
        action="access.reactivated" if active else "access.deactivated",
        user_ids=[user.id for user in users],
        actor_user_id=actor.user_id,
        details=None if active else [{"sessions_ended": count} for count in ended],
    )
    return sum(ended)
