"""What each space's home page shows, always filtered by the session user's own profiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from extranet_app.models import Lease, LeaseTenant, Lot, Owner, Ownership, Property, Tenant, User
from extranet_app.services.auth import SessionUser, require_staff
from extranet_app.services.formatting import format_date, format_euros


@dataclass(frozen=True)
class LeaseSummary:
    """A tenant's lease as the tenant home lists it."""

    lot_label: str
    address: str
    rent: str
    charges: str
    start_date: str
    tenants: str


@dataclass(frozen=True)
class OwnedLotSummary:
    """An owner's lot as the owner home lists it."""

    lot_label: str
    address: str
    share: str
    status: str
    rent: str


@dataclass(frozen=True)
class PortfolioCounts:
    """What the agency manages, and how many people have activated their access."""

    owners: int
    tenants: int
    properties: int
    lots: int
    current_leases: int
    activated_users: int


def _address(building: Property) -> str:
    line = ", ".join(part for part in (building.address_line1, building.address_line2) if part)
    return f"{line}, {building.postal_code} {building.city}"


def _lot_label(lot: Lot, building: Property) -> str:
    return f"{building.name} — lot {lot.reference}"


def _is_current(lease: Lease, today: date) -> bool:
    return lease.start_date <= today and (lease.end_date is None or lease.end_date >= today)


def list_tenant_leases(*, session: Session, user: SessionUser, today: date) -> list[LeaseSummary]:
    """The current leases on which the user is a tenant, with their co-tenants' names."""
    rows = session.exec(
        select(Lease, Lot, Property)
        .join(Lot, Lot.id == Lease.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .join(LeaseTenant, LeaseTenant.lease_id == Lease.id)
        .where(LeaseTenant.tenant_id.in_(user.tenant_ids))
        .where(Lease.start_date <= today)
        .where(or_(Lease.end_date.is_(None), Lease.end_date >= today))
        .order_by(Lease.start_date)
    ).all()
    names = tenant_names_by_lease(session=session, lease_ids=[lease.id for lease, _, _ in rows])
    return [
        LeaseSummary(
            lot_label=_lot_label(lot, building),
            address=_address(building),
            rent=format_euros(lease.rent_cents),
            charges=format_euros(lease.charges_cents),
            start_date=format_date(lease.start_date),
            tenants=", ".join(names.get(lease.id, [])),
        )
        for lease, lot, building in rows
    ]


def tenant_names_by_lease(*, session: Session, lease_ids: list[int]) -> dict[int, list[str]]:
    """The names of the tenants of each lease, by lease id (one query for all the leases)."""
    rows = session.exec(
        select(LeaseTenant.lease_id, Tenant)
        .join(Tenant, Tenant.id == LeaseTenant.tenant_id)
        .where(LeaseTenant.lease_id.in_(lease_ids))
        .order_by(Tenant.last_name)
    ).all()
    names: dict[int, list[str]] = {}
    for lease_id, tenant in rows:
        names.setdefault(lease_id, []).append(tenant.full_name)
    return names


def list_owner_lots(*, session: Session, user: SessionUser, today: date) -> list[OwnedLotSummary]:
    """The lots the user owns (or co-owns), each let or vacant today."""
    rows = session.exec(
        select(Ownership, Lot, Property)
        .join(Lot, Lot.id == Ownership.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(Ownership.owner_id.in_(user.owner_ids))
        .order_by(Property.name, Lot.reference)
    ).all()
    leases = _current_leases_by_lot(
        session=session, lot_ids=[lot.id for _, lot, _ in rows], today=today
    )
    summaries = []
    for ownership, lot, building in rows:
        lease = leases.get(lot.id)
        summaries.append(
            OwnedLotSummary(
                lot_label=_lot_label(lot, building),
                address=_address(building),
                share=f"{ownership.share_bp / 100:g} %".replace(".", ","),
                status="Loué" if lease else "Vacant",
                rent=format_euros(lease.rent_cents) if lease else "—",
            )
        )
    return summaries


def _current_leases_by_lot(*, session: Session, lot_ids: list[int], today: date) -> dict:
    leases = session.exec(select(Lease).where(Lease.lot_id.in_(lot_ids))).all()
    return {lease.lot_id: lease for lease in leases if _is_current(lease, today)}


def portfolio_counts(*, session: Session, user: SessionUser, today: date) -> PortfolioCounts:
    """Counts of everything the agency manages, for its home page (staff only)."""
    require_staff(user)

    def count(statement) -> int:
        return session.exec(statement).one()

    return PortfolioCounts(
        owners=count(select(func.count()).select_from(Owner)),
        tenants=count(select(func.count()).select_from(Tenant)),
        properties=count(select(func.count()).select_from(Property)),
        lots=count(select(func.count()).select_from(Lot)),
        current_leases=count(
            select(func.count())
            .select_from(Lease)
            .where(Lease.start_date <= today)
            .where(or_(Lease.end_date.is_(None), Lease.end_date >= today))
        ),
        activated_users=count(
            select(func.count())
            .select_from(User)
            .where(User.is_agency.is_(False), User.activated_at.is_not(None))
        ),
    )
