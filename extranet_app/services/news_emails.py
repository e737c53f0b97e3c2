"""The e-mails of Actualités: one per person of a news item's audience, queued once.

An item's e-mails go to the outbox when it first becomes visible: in the same transaction as its
publication when it is published at once, or by `queue_due_news_emails` (called by the outbox
sender on every tick, and when the agency opens Actualités) once a scheduled item's date has
come. The claim is an UPDATE that only one transaction can win, so two senders never queue the
same item twice. People who turned e-mail notifications off, inactive accounts and accounts
not activated yet (they could not log in to read it) get nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlmodel import Session, col, select, update

from extranet_app.email.news import build_news_email
from extranet_app.models import (
    Lease,
    LeaseTenant,
    Lot,
    NewsAudience,
    NewsItem,
    Owner,
    Ownership,
    Tenant,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.services.agency import get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import Space
from extranet_app.services.outbox import EmailKind, EmailToQueue, queue_emails
from extranet_app.services.rich_text import plain_paragraphs
from extranet_app.services.timekeeping import AGENCY_TIMEZONE
from extranet_app.settings import get_settings

NEWS_EMAIL_KIND = EmailKind.NEWS
NEWS_PAGES = {Space.TENANT: "/locataire/actualites", Space.OWNER: "/proprietaire/actualites"}


@dataclass(frozen=True)
class Recipient:
    """A person who gets a news item's e-mail, and the space whose page the link opens."""

    user_id: int
    email: str
    name: str
    space: Space


def paris_date(moment: datetime) -> date:
    """The calendar day of `moment` in Paris (leases are current by French calendar days)."""
    return moment.astimezone(AGENCY_TIMEZONE).date()


def current_leases(today: date) -> ColumnElement[bool]:
    """Leases running on `today`."""
    return and_(
        col(Lease.start_date) <= today,
        or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= today),
    )


def visible_now(now: datetime) -> ColumnElement[bool]:
    """Items published (their date has come) and not unpublished."""
    return and_(col(NewsItem.publish_at) <= now, col(NewsItem.unpublished_at).is_(None))


def _tenant_users(item: NewsItem, today: date) -> Select:
    if item.audience in (NewsAudience.TENANTS, NewsAudience.EVERYONE):
        return select(Tenant.user_id)
    if item.audience != NewsAudience.PROPERTY:
        return select(Tenant.user_id).where(col(Tenant.id).is_(None))
    current_tenants = (
        select(LeaseTenant.tenant_id)
        .join(Lease, col(Lease.id) == LeaseTenant.lease_id)
        .join(Lot, col(Lot.id) == Lease.lot_id)
        .where(Lot.property_id == item.property_id, current_leases(today))
    )
    return select(Tenant.user_id).where(col(Tenant.id).in_(current_tenants))


def _owner_users(item: NewsItem) -> Select:
    if item.audience in (NewsAudience.OWNERS, NewsAudience.EVERYONE):
        return select(Owner.user_id)
    if item.audience != NewsAudience.PROPERTY:
        return select(Owner.user_id).where(col(Owner.id).is_(None))
    owners = (
        select(Ownership.owner_id)
        .join(Lot, col(Lot.id) == Ownership.lot_id)
        .where(Lot.property_id == item.property_id)
    )
    return select(Owner.user_id).where(col(Owner.id).in_(owners))


def news_recipients(*, session: Session, item: NewsItem, today: date) -> list[Recipient]:
    """The people of the item's audience who accept e-mails, once each (owner link first)."""
    owner_ids = set(session.exec(_owner_users(item)).all())
    tenant_ids = set(session.exec(_tenant_users(item, today)).all())
    users = session.exec(
        select(User)
        .where(
            col(User.id).in_(sorted((owner_ids | tenant_ids) - {None})),
            col(User.is_active).is_(True),
            col(User.activated_at).is_not(None),
            col(User.email_notifications).is_(True),
        )
        .order_by(col(User.id))
    ).all()
    return [
        Recipient(
            user_id=user.id,
            email=user.email,
            name=user.display_name,
            space=Space.OWNER if user.id in owner_ids else Space.TENANT,
        )
        for user in users
    ]


def _claim(session: Session, news_id: int, now: datetime) -> bool:
    """Mark the item's e-mails as queued; False when they were already, or are not due."""
    result = session.exec(
        update(NewsItem)
        .where(
            col(NewsItem.id) == news_id,
            col(NewsItem.email_audience).is_(True),
            col(NewsItem.email_queued_at).is_(None),
            visible_now(now),
        )
        .values(email_queued_at=now)
    )
    return result.rowcount == 1


def queue_news_emails_if_due(*, session: Session, news_id: int, now: datetime) -> int:
    """Queue the item's e-mails if it asks for them, is visible and has none yet (adds,
    never commits); returns how many were queued."""
    if not _claim(session, news_id, now):
        return 0
    item = session.get(NewsItem, news_id)
    agency = get_agency_identity(session=session)
    paragraphs = plain_paragraphs(item.body)
    base = get_settings().public_url.rstrip("/")
    emails = [
        EmailToQueue(
            kind=NEWS_EMAIL_KIND,
            to_address=recipient.email,
            to_name=recipient.name,
            message=build_news_email(
                agency=agency,
                to_name=recipient.name,
                title=item.title,
                paragraphs=paragraphs,
                has_image=item.image_key is not None,
                link_url=base + NEWS_PAGES[recipient.space],
            ),
            user_id=recipient.user_id,
            created_by_id=item.created_by_id,
        )
        for recipient in news_recipients(session=session, item=item, today=paris_date(now))
    ]
    queue_emails(session=session, emails=emails)
    record_event(
        session=session,
        action="news.email_queued",
        actor_user_id=item.created_by_id,
        target_type="news_item",
        target_id=news_id,
        detail={"count": len(emails)},
    )
    return len(emails)


def queue_due_news_emails(*, session: Session, now: datetime | None = None) -> int:
    """Queue the e-mails of every item whose time has come (scheduled ones); commits."""
    now = now or utcnow()
    due = session.exec(
        select(NewsItem.id).where(
            col(NewsItem.email_audience).is_(True),
            col(NewsItem.email_queued_at).is_(None),
            visible_now(now),
        )
    ).all()
    queued = sum(
        queue_news_emails_if_due(session=session, news_id=news_id, now=now) for news_id in due
    )
    session.commit()
    return queued
