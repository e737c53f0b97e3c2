"""Tableau de bord: what a tenant or an owner sees first, gathered from every section.

Each figure comes from the section's own service, so the dashboard can never disagree with the
page it links to; a section the agency turned off contributes nothing (not even a count).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from extranet_app.models import Lease, LeaseTenant, RentCall
from extranet_app.models.base import utcnow
from extranet_app.services import (
    document_requests,
    messaging,
    news,
    owner_charts,
    owner_reports,
    receipts,
    rent_ledger,
    spaces,
)
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.formatting import format_date, format_euros
from extranet_app.services.sections import OwnerSection, TenantSection, disabled_sections

LATEST_NEWS = 3
VACANT = "Vacant"  # the status spaces.list_owner_lots gives a lot without a current lease


@dataclass(frozen=True)
class NewsHeadline:
    """A news item on a dashboard (opened from the Actualités page)."""

    title: str
    date: str
    unread: bool


@dataclass(frozen=True)
class TenantDashboard:
    """The tenant's Tableau de bord; a section turned off shows as not `shown`."""

    shown: tuple[str, ...]  # the section keys with a tile
    balance: str
    balance_cents: int
    credit: str  # "" without an overpayment waiting for the next periods
    unpaid_periods: int
    next_due_date: str  # "" when nothing is scheduled
    next_due_amount: str
    last_receipt_period: str  # "" before the first fully paid period
    documents_to_provide: int
    unread_news: int
    latest_news: tuple[NewsHeadline, ...]
    unread_messages: int


def _next_due(session: Session, user: SessionUser, today: date) -> tuple[str, str]:
    """The next rent due date on the tenant's leases and what is due that day, if called."""
    lease_ids = select(LeaseTenant.lease_id).where(
        col(LeaseTenant.tenant_id).in_(list(user.tenant_ids))
    )
    next_date = session.exec(
        select(func.min(RentCall.due_date)).where(
            col(RentCall.lease_id).in_(lease_ids), RentCall.due_date >= today
        )
    ).one()
    if next_date is not None:
        amount = session.exec(
            select(func.sum(RentCall.total_cents)).where(
                col(RentCall.lease_id).in_(lease_ids), RentCall.due_date == next_date
            )
        ).one()
        return format_date(next_date), format_euros(amount or 0)
    return _next_expected(session, lease_ids, today)


def _next_expected(session: Session, lease_ids, today: date) -> tuple[str, str]:
    """Before the agency issues the next call: the lease's due day next month, its amounts."""
    leases = session.exec(
        select(Lease).where(
            col(Lease.id).in_(lease_ids),
            (col(Lease.end_date).is_(None)) | (col(Lease.end_date) > today),
        )
    ).all()
    if not leases:
        return "", ""
    month_after = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    due_day = min(lease.due_day for lease in leases)
    due = today.replace(day=due_day) if today.day < due_day else month_after.replace(day=due_day)
    amount = sum(lease.rent_cents + lease.charges_cents for lease in leases)
    return format_date(due), format_euros(amount)


def _headlines(session: Session, user: SessionUser, space: Space, now: datetime) -> tuple:
    cards = news.list_news(session=session, user=user, space=space, now=now, limit=LATEST_NEWS)
    return tuple(NewsHeadline(title=c.title, date=c.date, unread=c.unread) for c in cards)


def tenant_dashboard(
    *,
    session: Session,
    user: SessionUser,
    today: date,
    now: datetime | None = None,
) -> TenantDashboard:
    """The tenant's Tableau de bord for `today` (a fixed number of queries)."""
    hidden = disabled_sections(session=session, user=user, space=Space.TENANT, today=today)
    shown = tuple(key.value for key in TenantSection if key not in hidden)
    now = now or utcnow()

    def on(section: TenantSection) -> bool:
        return section.value in shown

    arrears = (
        rent_ledger.unpaid_periods(session=session, user=user, today=today)
        if on(TenantSection.ARREARS)
        else None
    )
    next_date, next_amount = (
        _next_due(session, user, today) if on(TenantSection.ARREARS) else ("", "")
    )
    return TenantDashboard(
        shown=shown,
        balance=arrears.total if arrears else "",
        balance_cents=arrears.total_cents if arrears else 0,
        credit=arrears.credit if arrears else "",
        unpaid_periods=len(arrears.periods) if arrears else 0,
        next_due_date=next_date,
        next_due_amount=next_amount,
        last_receipt_period=(
            receipts.latest_receipt_period(session=session, user=user)
            if on(TenantSection.RECEIPTS)
            else ""
        ),
        documents_to_provide=(
            document_requests.count_to_provide(
                session=session, user=user, space=Space.TENANT, today=today
            )
            if on(TenantSection.DOCUMENT_REQUESTS)
            else 0
        ),
        unread_news=(
            news.count_unread(session=session, user=user, space=Space.TENANT, now=now)
            if on(TenantSection.NEWS)
            else 0
        ),
        latest_news=(
            _headlines(session, user, Space.TENANT, now) if on(TenantSection.NEWS) else ()
        ),
        unread_messages=(
            messaging.unread_count(session=session, user=user, space=Space.TENANT)
            if on(TenantSection.MESSAGES)
            else 0
        ),
    )


@dataclass(frozen=True)
class OwnerDashboard:
    """The owner's Tableau de bord; a section turned off shows as not `shown`."""

    shown: tuple[str, ...]
    lots: int
    let_lots: int
    occupancy: str  # "75 %"
    collected_this_month: str
    collected_this_year: str
    last_report_period: str  # "" before the first published report
    last_report_net: str
    last_report_published_on: str
    documents_to_provide: int
    unread_news: int
    latest_news: tuple[NewsHeadline, ...]
    unread_messages: int


def _collected(session: Session, user: SessionUser, today: date) -> tuple[str, str]:
    """The owner's share of what tenants paid this month and since 1 January."""
    months = owner_charts.owner_months(session=session, user=user, today=today, count=today.month)
    this_year = sum(point.collected_cents for point in months if point.month.year == today.year)
    this_month = months[-1].collected_cents if months else 0
    return format_euros(this_month), format_euros(this_year)


def owner_dashboard(
    *,
    session: Session,
    user: SessionUser,
    today: date,
    now: datetime | None = None,
) -> OwnerDashboard:
    """The owner's Tableau de bord for `today` (a fixed number of queries)."""
    hidden = disabled_sections(session=session, user=user, space=Space.OWNER, today=today)
    shown = tuple(key.value for key in OwnerSection if key not in hidden)
    now = now or utcnow()

    def on(section: OwnerSection) -> bool:
        return section.value in shown

    lots = spaces.list_owner_lots(session=session, user=user, today=today)
    let = sum(1 for lot in lots if lot.status != VACANT)
    month, year = _collected(session, user, today) if on(OwnerSection.REPORTS) else ("", "")
    reports = (
        owner_reports.list_owner_reports(session=session, user=user)
        if on(OwnerSection.REPORTS)
        else []
    )
    last = reports[0].listing if reports else None
    return OwnerDashboard(
        shown=shown,
        lots=len(lots),
        let_lots=let,
        occupancy=f"{round(100 * let / len(lots))} %" if lots else "—",
        collected_this_month=month,
        collected_this_year=year,
        last_report_period=last.period_label if last else "",
        last_report_net=last.net if last else "",
        last_report_published_on=last.published_on if last else "",
        documents_to_provide=(
            document_requests.count_to_provide(
                session=session, user=user, space=Space.OWNER, today=today
            )
            if on(OwnerSection.DOCUMENT_REQUESTS)
            else 0
        ),
        unread_news=(
            news.count_unread(session=session, user=user, space=Space.OWNER, now=now)
            if on(OwnerSection.NEWS)
            else 0
        ),
        latest_news=_headlines(session, user, Space.OWNER, now) if on(OwnerSection.NEWS) else (),
        unread_messages=(
            messaging.unread_count(session=session, user=user, space=Space.OWNER)
            if on(OwnerSection.MESSAGES)
            else 0
        ),
    )
