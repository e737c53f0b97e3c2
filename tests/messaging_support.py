"""A small world for the Messagerie tests: staff, two tenants, an owner, and a real PNG."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from extranet_app.models import Lease, Lot, Owner, Property, Tenant, User
from extranet_app.services.auth import SessionUser
from extranet_app.services.uploads import CheckedFile, check_upload
from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user

TODAY = date(2026, 11, 27)
NOON = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A real, valid PNG image (grey pixels), as a phone would send a photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def photo(name: str = "fuite.png") -> CheckedFile:
    """The PNG as checked by the one upload path."""
    return check_upload(filename=name, data=tiny_png(), declared_type="image/png")


def as_user(user: User, *, tenants=(), owners=(), previewed_by: int | None = None) -> SessionUser:
    """The SessionUser a live login of `user` gives (tenant and owner profiles given)."""
    return SessionUser(
        user_id=user.id,
        session_id=1,
        email=user.email,
        display_name=user.display_name or user.email,
        is_agency=user.is_agency,
        is_admin=user.is_admin,
        tenant_ids=tuple(t.id for t in tenants),
        owner_ids=tuple(o.id for o in owners),
        previewed_by_user_id=previewed_by,
    )


@dataclass
class MessagingWorld:
    """Who talks to whom in the tests."""

    staff_user: User
    colleague_user: User
    tenant_user: User
    other_user: User
    owner_user: User
    tenant: Tenant
    other: Tenant
    owner: Owner
    lot: Lot
    lease: Lease
    other_lease: Lease
    building_name: str = ""  # the tenant's building

    @property
    def staff(self) -> SessionUser:
        return as_user(self.staff_user)

    @property
    def colleague(self) -> SessionUser:
        return as_user(self.colleague_user)

    @property
    def tenant_login(self) -> SessionUser:
        return as_user(self.tenant_user, tenants=[self.tenant])

    @property
    def other_login(self) -> SessionUser:
        return as_user(self.other_user, tenants=[self.other])

    @property
    def owner_login(self) -> SessionUser:
        return as_user(self.owner_user, owners=[self.owner])


def make_world(session: Session) -> MessagingWorld:
    """Two staff members, a tenant and their landlord, and a tenant of another building."""
    staff = make_user(session, email="claire@agence.test", is_agency=True, display_name="Claire")
    colleague = make_user(
        session, email="julien@agence.test", is_agency=True, display_name="Julien"
    )
    tenant_user = make_user(session, email="camille@example.test", display_name="Camille Durand")
    other_user = make_user(session, email="autre@example.test", display_name="Autre Locataire")
    owner_user = make_user(session, email="paul@example.test", display_name="Paul Martin")
    for user in (tenant_user, other_user, owner_user):
        user.activated_at = datetime(2026, 1, 5, tzinfo=UTC)
    tenant = make_tenant(session, user=tenant_user)
    other = make_tenant(session, user=other_user, last_name="Autre")
    owner = make_owner(session, user=owner_user)
    lot = make_lot(session, owner=owner)
    lease = make_lease(session, lot=lot, tenants=[tenant], start_date=date(2024, 1, 1))
    other_lease = make_lease(session, lot=make_lot(session, reference="Z9"), tenants=[other])
    session.commit()
    building = session.get(Property, lot.property_id)
    return MessagingWorld(
        staff, colleague, tenant_user, other_user, owner_user, tenant, other, owner, lot, lease,
        other_lease, building.name,
    )  # fmt: skip
