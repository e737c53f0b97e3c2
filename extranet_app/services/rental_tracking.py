"""Suivi des locations: each of the owner's lots, its lease, this month's rent and arrears.

Tenants appear by name only: an owner never sees a tenant's contact details or documents.
Four queries whatever the number of lots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from extranet_app.models import Lease, Lot, Ownership, PaymentAllocation, Property, RentCall
from extranet_app.models.leases import RentCallKind
from extranet_app.pdf.base import lot_label
from extranet_app.services.auth import SessionUser
from extranet_app.services.formatting import format_date, format_euros, format_month
from extranet_app.services.spaces import tenant_names_by_lease

SOON = timedelta(days=90)  # a lease end or a rent revision this close is flagged


@dataclass(frozen=True)
class RentalRow:
    """One lot of the Suivi des locations, every value ready to show."""

    lot_label: str
    address: str
    share: str
    situation: str  # "Loué", "Vacant" or "Bail à venir"
    tenants: str
    lease_dates: str
    rent: str
    charges: str
    payment_status: str
    payment_tone: str  # a Radix colour: green, orange, red, gray
    arrears: str
    has_arrears: bool
    vacancy: str
    lease_end: str
    lease_end_soon: bool
    next_revision: str
    revision_soon: bool


@dataclass(frozen=True)
class _CallState:
    lease_id: int
    kind: str
    period_start: date
    due_date: date
    total: int
    paid: int


def _owned(user: SessionUser):
    return select(Ownership.lot_id).where(col(Ownership.owner_id).in_(user.owner_ids))


def rental_tracking(*, session: Session, user: SessionUser, today: date) -> list[RentalRow]:
    """The user's own lots with their lease, tenants' names, payment status and key dates."""
    if not user.owner_ids:
        return []
    lots = session.exec(
        select(Ownership, Lot, Property)
        .join(Lot, Lot.id == Ownership.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(col(Ownership.owner_id).in_(user.owner_ids))
        .order_by(Property.name, Lot.reference, Lot.id)
    ).all()
    leases = session.exec(select(Lease).where(col(Lease.lot_id).in_(_owned(user)))).all()
    shown = {lot.id: _lease_to_show(lot.id, leases, today) for _, lot, _ in lots}
    names = tenant_names_by_lease(
        session=session,
        lease_ids=[lease.id for lease in shown.values() if lease and not _ended(lease, today)],
    )
    calls = _open_or_current_calls(session, user, today)
    lease_lots = {lease.id: lease.lot_id for lease in leases}
    return [
        _row(ownership, lot, building, shown[lot.id], names, calls, lease_lots, leases, today)
        for ownership, lot, building in lots
    ]


def _is_current(lease: Lease, today: date) -> bool:
    return lease.start_date <= today and (lease.end_date is None or lease.end_date >= today)


def _ended(lease: Lease, today: date) -> bool:
    return lease.end_date is not None and lease.end_date < today


def _lease_to_show(lot_id: int, leases: list[Lease], today: date) -> Lease | None:
    """The current lease, else the next one to start, else the last one that ended."""
    mine = [lease for lease in leases if lease.lot_id == lot_id]
    current = [lease for lease in mine if _is_current(lease, today)]
    if current:
        return max(current, key=lambda lease: lease.start_date)
    upcoming = [lease for lease in mine if lease.start_date > today]
    if upcoming:
        return min(upcoming, key=lambda lease: lease.start_date)
    return max(mine, key=lambda lease: lease.end_date or lease.start_date, default=None)


def _open_or_current_calls(session: Session, user: SessionUser, today: date) -> list[_CallState]:
    """Calls of the user's lots still owed and due, and every call of the current month."""
    paid = (
        select(func.coalesce(func.sum(PaymentAllocation.amount_cents), 0))
        .where(PaymentAllocation.rent_call_id == RentCall.id)
        .scalar_subquery()
    )
    month = today.replace(day=1)
    rows = session.exec(
        select(
            RentCall.lease_id,
            RentCall.kind,
            RentCall.period_start,
            RentCall.due_date,
            RentCall.total_cents,
            paid,
        )
        .join(Lease, Lease.id == RentCall.lease_id)
        .where(col(Lease.lot_id).in_(_owned(user)))
        .where(
            or_(
                and_(RentCall.due_date <= today, paid < RentCall.total_cents),
                and_(RentCall.period_start >= month, RentCall.period_start <= today),
            )
        )
    ).all()
    return [_CallState(*row) for row in rows]


def _row(ownership, lot, building, lease, names, calls, lease_lots, leases, today) -> RentalRow:
    current = lease is not None and _is_current(lease, today)
    ended = lease is not None and _ended(lease, today)
    owed = sum(
        max(call.total - call.paid, 0)
        for call in calls
        if lease_lots.get(call.lease_id) == lot.id and call.due_date <= today
    )
    status, tone = _payment_status(lease if current else None, calls, today)
    end_soon = bool(lease and lease.end_date and today <= lease.end_date <= today + SOON)
    revision = lease.next_revision_date if current and lease else None
    return RentalRow(
        lot_label=f"{lot_label(lot)} — {building.name}",
        address=f"{building.address_line1}, {building.postal_code} {building.city}",
        share=f"{ownership.share_bp / 100:g} %".replace(".", ","),
        situation=_situation(lease, today),
        # A former tenant's name is none of the owner's business once the lot is vacant.
        tenants=", ".join(names.get(lease.id, [])) if lease and not ended else "",
        lease_dates=_lease_dates(lease) if lease else "",
        rent=format_euros(lease.rent_cents) if current else "—",
        charges=format_euros(lease.charges_cents) if current else "—",
        payment_status=status,
        payment_tone=tone,
        arrears=format_euros(owed),
        has_arrears=owed > 0,
        vacancy=_vacancy(lot.id, lease, leases, today),
        lease_end=format_date(lease.end_date) if lease and not ended and lease.end_date else "",
        lease_end_soon=end_soon,
        next_revision=format_date(revision) if revision else "",
        revision_soon=bool(revision and today <= revision <= today + SOON),
    )


def _situation(lease: Lease | None, today: date) -> str:
    if lease is not None and _is_current(lease, today):
        return "Loué"
    if lease is not None and lease.start_date > today:
        return "Bail à venir"
    return "Vacant"


def _lease_dates(lease: Lease) -> str:
    if lease.end_date is None:
        return f"depuis le {format_date(lease.start_date)}"
    return f"du {format_date(lease.start_date)} au {format_date(lease.end_date)}"


def _vacancy(lot_id: int, lease: Lease | None, leases: list[Lease], today: date) -> str:
    if lease is not None and _is_current(lease, today):
        return ""
    ended = [
        other.end_date
        for other in leases
        if other.lot_id == lot_id and other.end_date and other.end_date < today
    ]
    if not ended:
        return "Vacant"
    return f"Vacant depuis le {format_date(max(ended) + timedelta(days=1))}"


def _payment_status(lease: Lease | None, calls: list[_CallState], today: date) -> tuple[str, str]:
    """This month's rent on the current lease: paid, partly paid, unpaid, not yet due."""
    if lease is None:
        return "—", "gray"
    month = today.replace(day=1)
    this_month = [
        call
        for call in calls
        if call.lease_id == lease.id
        and call.kind == RentCallKind.RENT
        and call.period_start.replace(day=1) == month
    ]
    if not this_month:
        return "Pas d'appel ce mois-ci", "gray"
    total = sum(call.total for call in this_month)
    paid = sum(min(call.paid, call.total) for call in this_month)
    label = format_month(month)
    if paid >= total:
        return f"{label} : payé", "green"
    if paid > 0:
        return f"{label} : payé en partie ({format_euros(paid)})", "orange"
    if all(call.due_date > today for call in this_month):
        return f"{label} : à échoir", "gray"
    return f"{label} : impayé", "red"
