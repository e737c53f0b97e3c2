"""Factories: each builds one row with sensible defaults, so a test states only what matters."""

from __future__ import annotations

import itertools
from datetime import date

from sqlmodel import Session

from extranet_app.models import Lease, LeaseTenant, Lot, Owner, Ownership, Property, Tenant, User
from extranet_app.services.security import hash_password

PASSWORD = "Mot-de-passe-2026"
_sequence = itertools.count(1)


def make_user(
    session: Session,
    *,
    email: str | None = None,
    password: str | None = PASSWORD,
    is_agency: bool = False,
    is_admin: bool = False,
    is_active: bool = True,
    display_name: str = "",
) -> User:
    user = User(
        email=(email or f"user{next(_sequence)}@example.test").lower(),
        password_hash=hash_password(password) if password else None,
        is_agency=is_agency,
        is_admin=is_admin,
        is_active=is_active,
        display_name=display_name,
    )
    session.add(user)
    session.flush()
    return user


def _person_fields(user: User | None, first_name: str, last_name: str, civility: str) -> dict:
    return {
        "civility": civility,
        "first_name": first_name,
        "last_name": last_name,
        "email": user.email if user else None,
        "user_id": user.id if user else None,
    }


def make_tenant(session: Session, *, user: User | None = None, last_name: str = "Durand") -> Tenant:
    tenant = Tenant(**_person_fields(user, "Camille", last_name, "Mme"))
    session.add(tenant)
    session.flush()
    return tenant


def make_owner(session: Session, *, user: User | None = None, last_name: str = "Martin") -> Owner:
    owner = Owner(**_person_fields(user, "Paul", last_name, "M."))
    session.add(owner)
    session.flush()
    return owner


def make_lot(session: Session, *, owner: Owner | None = None, reference: str = "A1") -> Lot:
    building = Property(
        name=f"Résidence {next(_sequence)}",
        address_line1="8 rue Garibaldi",
        postal_code="69006",
        city="Lyon",
    )
    session.add(building)
    session.flush()
    lot = Lot(property_id=building.id, reference=reference, surface_m2=42.5, rooms=2)
    session.add(lot)
    session.flush()
    if owner is not None:
        session.add(Ownership(owner_id=owner.id, lot_id=lot.id))
        session.flush()
    return lot


def make_lease(
    session: Session,
    *,
    lot: Lot,
    tenants: list[Tenant],
    rent_cents: int = 65_000,
    charges_cents: int = 8_000,
    start_date: date = date(2024, 1, 1),
    end_date: date | None = None,
) -> Lease:
    lease = Lease(
        lot_id=lot.id,
        start_date=start_date,
        end_date=end_date,
        rent_cents=rent_cents,
        charges_cents=charges_cents,
        deposit_cents=rent_cents,
    )
    session.add(lease)
    session.flush()
    session.add_all(LeaseTenant(lease_id=lease.id, tenant_id=t.id) for t in tenants)
    session.flush()
    return lease
