"""What the browser tests expect to see, read from the test database rather than hard-coded.

The demo data may change; the page must show what the database holds for the logged-in user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, or_, select

from extranet_app.db import make_engine
from extranet_app.models import Lease, LeaseTenant, Lot, Property, Tenant, User

# Babel separates thousands with U+202F and puts U+00A0 before "€"; the page shows either.
_SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})


def normalize_spaces(text: str) -> str:
    """`text` with narrow and non-breaking spaces turned into plain spaces."""
    return text.translate(_SPACES)


def french_euros(cents: int) -> str:
    """An amount as a French reader expects it, with plain spaces: 123456 -> "1 234,56 €"."""
    grouped = f"{cents // 100:,}".replace(",", " ")
    return f"{grouped},{cents % 100:02d} €"


def path_pattern(path: str) -> re.Pattern[str]:
    """Any address of the app whose path is `path` (a trailing slash, query or hash allowed)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}/?(?:[?#].*)?$")


@dataclass(frozen=True)
class ExpectedLease:
    """What the tenant home must show of one current lease."""

    address_line1: str
    city: str
    rent: str


def display_name(database_url: str, email: str) -> str:
    """The name the header shows for the user with this e-mail."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user = session.exec(select(User).where(User.email == email)).one()
            return user.display_name or user.email
    finally:
        engine.dispose()


def current_leases(database_url: str, email: str, today: date) -> list[ExpectedLease]:
    """The leases in force today of the tenant profiles of the user with this e-mail."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Lease, Property)
                .join(Lot, Lot.id == Lease.lot_id)
                .join(Property, Property.id == Lot.property_id)
                .join(LeaseTenant, LeaseTenant.lease_id == Lease.id)
                .join(Tenant, Tenant.id == LeaseTenant.tenant_id)
                .join(User, User.id == Tenant.user_id)
                .where(User.email == email, Lease.start_date <= today)
                .where(or_(Lease.end_date.is_(None), Lease.end_date >= today))
            ).all()
            return [
                ExpectedLease(building.address_line1, building.city, french_euros(lease.rent_cents))
                for lease, building in rows
            ]
    finally:
        engine.dispose()


def tenant_not_yet_enrolled(database_url: str) -> tuple[str, str]:
    """(e-mail, "First Last") of a demo tenant with an e-mail and no login yet."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            tenant = session.exec(
                select(Tenant)
                .where(Tenant.user_id.is_(None), Tenant.email.is_not(None))
                .order_by(Tenant.id)
            ).first()
            return tenant.email, f"{tenant.first_name} {tenant.last_name}"
    finally:
        engine.dispose()
