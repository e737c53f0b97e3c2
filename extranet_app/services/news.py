"""Actualités: the agency writes news; tenants and owners read what is addressed to them.

Who may read an item is one SQL condition (`audience_rule`), used by the list, the unread count,
opening an item and its image: an owners-only item never reaches a tenant, a building's item
only its current tenants and its owners. The browser names an item by an opaque reference (an
HMAC of its id), and a reference outside the person's audience is answered like an unknown one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from extranet_app.models import (
    Lease,
    LeaseTenant,
    Lot,
    NewsAudience,
    NewsItem,
    NewsRead,
    Ownership,
    Property,
)
from extranet_app.models.base import utcnow
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space, require_staff, require_writable
from extranet_app.services.formatting import format_date, format_datetime
from extranet_app.services.news_emails import (
    current_leases,
    paris_date,
    queue_news_emails_if_due,
    visible_now,
)
from extranet_app.services.rich_text import excerpt, render_markdown
from extranet_app.services.storage import InvalidStorageKey, delete_stored, path_for, store_bytes
from extranet_app.services.uploads import IMAGE_TYPES, JPEG, PNG, CheckedFile
from extranet_app.settings import get_settings

MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 20_000  # the column holds more; a news item is not a book
MAX_LISTED = 200
_REFERENCE_LENGTH = 32
_HEX = frozenset("0123456789abcdef")
_IMAGE_TYPES_BY_EXTENSION = {"jpg": JPEG, "png": PNG}
PERSON_SPACES = (Space.TENANT, Space.OWNER)
_GENERAL_AUDIENCE = {Space.TENANT: NewsAudience.TENANTS, Space.OWNER: NewsAudience.OWNERS}

AUDIENCE_LABELS = {
    NewsAudience.EVERYONE: "Locataires et propriétaires",
    NewsAudience.TENANTS: "Locataires",
    NewsAudience.OWNERS: "Propriétaires",
    NewsAudience.PROPERTY: "Un immeuble",
}


class NewsStatus(StrEnum):
    SCHEDULED = "programmee"
    PUBLISHED = "publiee"
    UNPUBLISHED = "depubliee"


STATUS_LABELS = {
    NewsStatus.SCHEDULED: "Programmée",
    NewsStatus.PUBLISHED: "Publiée",
    NewsStatus.UNPUBLISHED: "Dépubliée",
}


class InvalidNews(ValueError):
    """A news item the agency cannot save as written; the message is in French."""


# --- Who may read what ------------------------------------------------------------------------


def news_reference(news_id: int) -> str:
    """The opaque name of a news item in the browser: an HMAC of its id with the secret key."""
    key = get_settings().secret_key.encode()
    digest = hmac.new(key, f"news:{news_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:_REFERENCE_LENGTH]


def _is_reference(value: object) -> bool:
    return isinstance(value, str) and len(value) == _REFERENCE_LENGTH and set(value) <= _HEX


def _buildings_of(user: SessionUser, space: Space, today) -> Select:
    if space == Space.TENANT:
        my_leases = select(LeaseTenant.lease_id).where(
            col(LeaseTenant.tenant_id).in_(user.tenant_ids)
        )
        lots = select(Lease.lot_id).where(col(Lease.id).in_(my_leases), current_leases(today))
    else:
        lots = select(Ownership.lot_id).where(col(Ownership.owner_id).in_(user.owner_ids))
    return select(Lot.property_id).where(col(Lot.id).in_(lots))


def audience_rule(*, user: SessionUser, space: Space, today) -> ColumnElement[bool]:
    """The items addressed to `user` in `space` (all of them for staff in the agency space)."""
    if space == Space.AGENCY:
        return true() if user.is_agency else false()
    if space not in PERSON_SPACES or not user.can_enter(space):
        return false()
    return or_(
        col(NewsItem.audience).in_([_GENERAL_AUDIENCE[space], NewsAudience.EVERYONE]),
        and_(
            col(NewsItem.audience) == NewsAudience.PROPERTY,
            col(NewsItem.property_id).in_(_buildings_of(user, space, today)),
        ),
    )


def readable(*, user: SessionUser, space: Space, now: datetime) -> ColumnElement[bool]:
    """What `user` may open in `space` now: staff anything, a person their live items."""
    rule = audience_rule(user=user, space=space, today=paris_date(now))
    return rule if space == Space.AGENCY else and_(rule, visible_now(now))


def _find_id(session: Session, condition: ColumnElement[bool], reference: object) -> int | None:
    if not _is_reference(reference):
        return None
    # The reference cannot be turned back into an id: match it among the items allowed.
    for news_id in session.exec(select(NewsItem.id).where(condition)).all():
        if hmac.compare_digest(news_reference(news_id), reference):
            return news_id
    return None


def _refused(session: Session, user: SessionUser, action: str, space: Space, ref: object) -> None:
    record_event(
        session=session,
        action=action,
        actor_user_id=user.previewed_by_user_id or user.user_id,
        target_type="news_item",
        allowed=False,
        detail={"space": space.value, "reference": str(ref)[:64]},
    )
    session.commit()


# --- What tenants and owners see --------------------------------------------------------------


@dataclass(frozen=True)
class NewsCard:
    """A news item in a person's list: no database id, an opaque reference."""

    reference: str
    title: str
    excerpt: str
    date: str
    pinned: bool
    unread: bool
    has_image: bool


@dataclass(frozen=True)
class NewsView:
    """An opened news item: its text as sanitized HTML."""

    reference: str
    title: str
    date: str
    html: str
    pinned: bool
    has_image: bool


@dataclass(frozen=True)
class NewsImage:
    """What the image route needs to send one picture."""

    path: Path
    mime_type: str


def _published_on(item: NewsItem) -> str:
    return format_date(paris_date(item.publish_at))


def list_news(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    now: datetime | None = None,
    limit: int = MAX_LISTED,
) -> list[NewsCard]:
    """The items addressed to `user` in `space`: pinned first, then newest, with unread marks."""
    if space not in PERSON_SPACES:
        return []
    rows = session.exec(
        select(NewsItem, NewsRead.read_at)
        .outerjoin(
            NewsRead,
            and_(col(NewsRead.news_id) == NewsItem.id, col(NewsRead.user_id) == user.user_id),
        )
        .where(readable(user=user, space=space, now=now or utcnow()))
        .order_by(
            col(NewsItem.pinned).desc(), col(NewsItem.publish_at).desc(), col(NewsItem.id).desc()
        )
        .limit(min(limit, MAX_LISTED))
    ).all()
    return [
        NewsCard(
            reference=news_reference(item.id),
            title=item.title,
            excerpt=excerpt(item.body),
            date=_published_on(item),
            pinned=item.pinned,
            unread=read_at is None,
            has_image=item.image_key is not None,
        )
        for item, read_at in rows
    ]


def count_unread(
    *, session: Session, user: SessionUser, space: Space, now: datetime | None = None
) -> int:
    """How many items addressed to `user` in `space` they have not opened (for dashboards)."""
    if space not in PERSON_SPACES:
        return 0
    already_read = select(NewsRead.news_id).where(NewsRead.user_id == user.user_id)
    return session.exec(
        select(func.count())
        .select_from(NewsItem)
        .where(
            readable(user=user, space=space, now=now or utcnow()),
            col(NewsItem.id).not_in(already_read),
        )
    ).one()


def _mark_read(session: Session, news_id: int, user_id: int, now: datetime) -> None:
    if session.get(NewsRead, (news_id, user_id)) is not None:
        return
    session.add(NewsRead(news_id=news_id, user_id=user_id, read_at=now))
    try:
        session.commit()
    except IntegrityError:  # the same person opened it in another tab at the same moment
        session.rollback()


def open_news(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    reference: object,
    now: datetime | None = None,
) -> NewsView | None:
    """The item behind `reference` if it is addressed to `user`, marked read; else None
    (audited). An Aperçu by the agency reads without marking anything."""
    now = now or utcnow()
    news_id = None
    if space in PERSON_SPACES:
        news_id = _find_id(session, readable(user=user, space=space, now=now), reference)
    if news_id is None:
        _refused(session, user, "news.open", space, reference)
        return None
    item = session.get(NewsItem, news_id)
    view = NewsView(
        reference=news_reference(news_id),
        title=item.title,
        date=_published_on(item),
        html=render_markdown(item.body),
        pinned=item.pinned,
        has_image=item.image_key is not None,
    )
    if not user.read_only:
        _mark_read(session, news_id, user.user_id, now)
    return view


def news_image(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    reference: object,
    now: datetime | None = None,
) -> NewsImage | None:
    """The picture of the item behind `reference` if `user` may read it in `space`, else None."""
    condition = and_(
        readable(user=user, space=space, now=now or utcnow()),
        col(NewsItem.image_key).is_not(None),
    )
    news_id = _find_id(session, condition, reference)
    path = _image_path(session.get(NewsItem, news_id)) if news_id is not None else None
    if path is None:
        _refused(session, user, "news.image", space, reference)
        return None
    return NewsImage(path=path, mime_type=_IMAGE_TYPES_BY_EXTENSION[path.suffix.lstrip(".")])


def _image_path(item: NewsItem) -> Path | None:
    extension = (item.image_key or "").rsplit(".", 1)[-1]
    if extension not in _IMAGE_TYPES_BY_EXTENSION:
        return None
    try:
        path = path_for(item.image_key)
    except InvalidStorageKey:
        return None
    return path if path.is_file() else None


# --- What the agency sees and does ------------------------------------------------------------


@dataclass(frozen=True)
class NewsDraft:
    """What the agency typed in the form."""

    title: str
    body: str
    audience: str
    property_id: int | None = None
    publish_at: datetime | None = None  # None: now
    pinned: bool = False
    email_audience: bool = False


@dataclass(frozen=True)
class AgencyNewsRow:
    """A line of the agency's list (the page keeps the id backend-side)."""

    id: int
    reference: str
    title: str
    audience_label: str
    status: str
    status_label: str
    publish_at: str
    pinned: bool
    email_label: str
    has_image: bool
    readers: int


@dataclass(frozen=True)
class EditableNews:
    """An item as the edit form starts from."""

    draft: NewsDraft
    reference: str
    has_image: bool
    email_queued: bool
    status: str


@dataclass(frozen=True)
class BuildingChoice:
    """A building the agency may address news to."""

    id: int
    label: str


def news_status(item: NewsItem, now: datetime) -> NewsStatus:
    """Programmée, publiée or dépubliée."""
    if item.unpublished_at is not None:
        return NewsStatus.UNPUBLISHED
    return NewsStatus.SCHEDULED if item.publish_at > now else NewsStatus.PUBLISHED


def _email_label(item: NewsItem) -> str:
    if item.email_queued_at is not None:
        return f"E-mails mis au centre d'envoi le {format_datetime(item.email_queued_at)}"
    return "E-mail à la publication" if item.email_audience else ""


def _audience_label(item: NewsItem, building: Property | None) -> str:
    if item.audience == NewsAudience.PROPERTY and building is not None:
        return f"Immeuble {building.name}"
    return AUDIENCE_LABELS.get(item.audience, item.audience)


def list_agency_news(
    *, session: Session, actor: SessionUser, now: datetime | None = None
) -> list[AgencyNewsRow]:
    """Every item, newest publication first, with its status and how many people read it."""
    require_staff(actor)
    now = now or utcnow()
    readers = (
        select(NewsRead.news_id, func.count().label("readers"))
        .group_by(NewsRead.news_id)
        .subquery()
    )
    rows = session.exec(
        select(NewsItem, Property, readers.c.readers)
        .outerjoin(Property, col(Property.id) == NewsItem.property_id)
        .outerjoin(readers, readers.c.news_id == NewsItem.id)
        .order_by(col(NewsItem.publish_at).desc(), col(NewsItem.id).desc())
    ).all()
    return [_agency_row(item, building, count or 0, now) for item, building, count in rows]


def _agency_row(item: NewsItem, building: Property | None, readers: int, now) -> AgencyNewsRow:
    status = news_status(item, now)
    return AgencyNewsRow(
        id=item.id,
        reference=news_reference(item.id),
        title=item.title,
        audience_label=_audience_label(item, building),
        status=status.value,
        status_label=STATUS_LABELS[status],
        publish_at=format_datetime(item.publish_at),
        pinned=item.pinned,
        email_label=_email_label(item),
        has_image=item.image_key is not None,
        readers=readers,
    )


def list_buildings(*, session: Session, actor: SessionUser) -> list[BuildingChoice]:
    """The buildings under management, by name, for the audience picker."""
    require_staff(actor)
    buildings = session.exec(select(Property).order_by(Property.name, Property.id)).all()
    return [
        BuildingChoice(id=building.id, label=f"{building.name} — {building.city}".strip(" —"))
        for building in buildings
    ]


def get_editable_news(
    *, session: Session, actor: SessionUser, news_id: int, now: datetime | None = None
) -> EditableNews | None:
    """An item with everything the edit form shows, or None."""
    require_staff(actor)
    item = session.get(NewsItem, news_id) if type(news_id) is int else None
    if item is None:
        return None
    draft = NewsDraft(
        title=item.title,
        body=item.body,
        audience=item.audience,
        property_id=item.property_id,
        publish_at=item.publish_at,
        pinned=item.pinned,
        email_audience=item.email_audience,
    )
    return EditableNews(
        draft=draft,
        reference=news_reference(item.id),
        has_image=item.image_key is not None,
        email_queued=item.email_queued_at is not None,
        status=news_status(item, now or utcnow()).value,
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _checked_texts(draft: NewsDraft) -> tuple[str, str]:
    # A title goes into e-mail subjects: one line, whatever the browser sent.
    title, body = " ".join(_text(draft.title).split()), _text(draft.body)
    if not title:
        raise InvalidNews("Donnez un titre à l'actualité.")
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidNews(f"Le titre dépasse {MAX_TITLE_LENGTH} caractères.")
    if not body:
        raise InvalidNews("Écrivez le texte de l'actualité.")
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidNews(f"Le texte dépasse {MAX_BODY_LENGTH} caractères.")
    return title, body


def _checked_audience(session: Session, draft: NewsDraft) -> tuple[NewsAudience, int | None]:
    if not isinstance(draft.audience, str) or draft.audience not in set(NewsAudience):
        raise InvalidNews("Choisissez à qui s'adresse l'actualité.")
    audience = NewsAudience(draft.audience)
    if audience != NewsAudience.PROPERTY:
        return audience, None
    if type(draft.property_id) is not int or session.get(Property, draft.property_id) is None:
        raise InvalidNews("Choisissez l'immeuble concerné.")
    return audience, draft.property_id


def _checked(session: Session, draft: NewsDraft, now: datetime) -> NewsDraft:
    title, body = _checked_texts(draft)
    audience, property_id = _checked_audience(session, draft)
    publish_at = draft.publish_at or now
    if not isinstance(publish_at, datetime) or publish_at.tzinfo is None:
        raise InvalidNews("Date de publication invalide.")
    return NewsDraft(
        title=title,
        body=body,
        audience=audience,
        property_id=property_id,
        publish_at=publish_at,
        pinned=draft.pinned is True,
        email_audience=draft.email_audience is True,
    )


@contextmanager
def _stored_image(session: Session, image: CheckedFile | None) -> Iterator[str | None]:
    """Store the picture privately; if the use case fails before its commit, remove it."""
    if image is None:
        yield None
        return
    if image.mime_type not in IMAGE_TYPES:
        raise InvalidNews("L'image doit être un fichier JPEG ou PNG.")
    stored = store_bytes(data=image.data, extension=image.extension)
    try:
        yield stored.storage_key
    except BaseException:
        session.rollback()
        delete_stored(stored.storage_key)
        raise


def _apply(item: NewsItem, draft: NewsDraft, now: datetime) -> None:
    item.title, item.body, item.audience = draft.title, draft.body, draft.audience
    item.property_id, item.publish_at = draft.property_id, draft.publish_at
    item.pinned, item.email_audience = draft.pinned, draft.email_audience
    item.updated_at = now


def _audit(session: Session, actor: SessionUser, action: str, item: NewsItem, **detail) -> None:
    record_event(
        session=session,
        action=action,
        actor_user_id=actor.user_id,
        target_type="news_item",
        target_id=item.id,
        detail={"audience": item.audience, "property_id": item.property_id, **detail},
    )


def create_news(
    *,
    session: Session,
    actor: SessionUser,
    draft: NewsDraft,
    image: CheckedFile | None = None,
    now: datetime | None = None,
) -> int:
    """Publish (or schedule) a news item; its e-mails are queued now if it is visible now."""
    require_staff(actor)
    require_writable(actor, session=session)
    now = now or utcnow()
    draft = _checked(session, draft, now)
    with _stored_image(session, image) as image_key:
        item = NewsItem(title="", body="", publish_at=now, created_by_id=actor.user_id)
        _apply(item, draft, now)
        item.image_key, item.created_at = image_key, now
        session.add(item)
        session.flush()
        emails = queue_news_emails_if_due(session=session, news_id=item.id, now=now)
        _audit(session, actor, "news.create", item, scheduled=item.publish_at > now, emails=emails)
        session.commit()
    return item.id


def _get_for_change(session: Session, actor: SessionUser, news_id: object) -> NewsItem:
    require_staff(actor)
    require_writable(actor, session=session)
    item = session.get(NewsItem, news_id) if type(news_id) is int else None
    if item is None:
        raise InvalidNews("Cette actualité n'existe plus.")
    return item


def update_news(
    *,
    session: Session,
    actor: SessionUser,
    news_id: int,
    draft: NewsDraft,
    image: CheckedFile | None = None,
    remove_image: bool = False,
    now: datetime | None = None,
) -> None:
    """Change an item (text, audience, date, picture…); e-mails still go only once."""
    item = _get_for_change(session, actor, news_id)
    now = now or utcnow()
    draft = _checked(session, draft, now)
    old_key = item.image_key
    with _stored_image(session, image) as image_key:
        _apply(item, draft, now)
        if image_key is not None or remove_image is True:
            item.image_key = image_key
        emails = queue_news_emails_if_due(session=session, news_id=item.id, now=now)
        _audit(session, actor, "news.update", item, emails=emails)
        session.commit()
    if old_key and old_key != item.image_key:
        _forget_file(old_key)


def _forget_file(storage_key: str) -> None:
    # The row no longer points to it; a file that cannot be removed is only wasted space.
    with suppress(InvalidStorageKey, OSError):
        delete_stored(storage_key)


def unpublish_news(
    *, session: Session, actor: SessionUser, news_id: int, now: datetime | None = None
) -> None:
    """Take an item down: nobody sees it any more (nor its e-mail, if it had not gone)."""
    item = _get_for_change(session, actor, news_id)
    if item.unpublished_at is None:
        item.unpublished_at = item.updated_at = now or utcnow()
        _audit(session, actor, "news.unpublish", item)
        session.commit()


def republish_news(
    *, session: Session, actor: SessionUser, news_id: int, now: datetime | None = None
) -> None:
    """Put an unpublished item back online (its e-mails go if they never went)."""
    item = _get_for_change(session, actor, news_id)
    now = now or utcnow()
    if item.unpublished_at is not None:
        item.unpublished_at, item.updated_at = None, now
        session.flush()
        emails = queue_news_emails_if_due(session=session, news_id=item.id, now=now)
        _audit(session, actor, "news.republish", item, emails=emails)
        session.commit()


def preview_html(source: str) -> str:
    """The text as readers will see it (the form's live preview)."""
    return render_markdown(source[:MAX_BODY_LENGTH] if isinstance(source, str) else "")
