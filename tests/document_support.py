"""Shared pieces of the document tests: valid small files, and a building with its people."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session

from extranet_app.models import Lease, Lot, Owner, Ownership, Tenant, User
from extranet_app.services.auth import SessionUser
from extranet_app.services.storage import documents_root
from extranet_app.services.uploads import CheckedFile, check_upload
from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user
from tests.test_documents import as_session_user

TODAY = date(2026, 11, 27)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 16, 16) + b"\x08\x02\x00\x00\x00"


def pdf(name: str = "document.pdf", marker: str = "") -> CheckedFile:
    """A checked PDF; `marker` makes its bytes (and hash) unique."""
    return check_upload(filename=name, data=PDF + marker.encode())


def png(name: str = "photo.png") -> CheckedFile:
    return check_upload(filename=name, data=PNG)


def stored_files() -> list[Path]:
    """Every file in the private documents folder."""
    return [path for path in documents_root().rglob("*") if path.is_file()]


@dataclass
class Building:
    """A building: lot A1 (current lease, a former lease), lot A2 (a neighbour), elsewhere a
    stranger; each person with a login unless said otherwise."""

    staff: SessionUser
    owner: SessionUser
    tenant: SessionUser
    opted_out: SessionUser  # co-tenant of the current lease, e-mail notifications off
    former: SessionUser  # tenant of lot A1 until 31/12/2023
    neighbour: SessionUser  # tenant of lot A2, same building
    stranger: SessionUser  # tenant in another building
    other_owner: SessionUser  # owner of lot A2 only
    owner_profile: Owner
    tenant_profile: Tenant
    unenrolled: Tenant  # co-tenant of the current lease without any login
    lot: Lot
    neighbour_lot: Lot
    lease: Lease
    old_lease: Lease
    users: dict[str, User]


def _tenant(session: Session, name: str, **user_fields) -> tuple[SessionUser, Tenant, User]:
    user = make_user(session, email=f"{name}@example.test", **user_fields)
    profile = make_tenant(session, user=user, last_name=name.capitalize())
    return as_session_user(user, tenants=[profile]), profile, user


def _owner(session: Session, name: str) -> tuple[SessionUser, Owner, User]:
    user = make_user(session, email=f"{name}@example.test")
    profile = make_owner(session, user=user, last_name=name.capitalize())
    return as_session_user(user, owners=[profile]), profile, user


def build_building(session: Session) -> Building:
    """The building of the document tests, committed."""
    staff_user = make_user(session, email="staff@example.test", is_agency=True)
    owner, owner_profile, owner_user = _owner(session, "bertrand")
    other_owner, other_profile, other_user = _owner(session, "carpentier")
    lot = make_lot(session, owner=owner_profile, reference="A1")
    neighbour_lot = Lot(property_id=lot.property_id, reference="A2")
    session.add(neighbour_lot)
    session.flush()
    session.add(Ownership(owner_id=other_profile.id, lot_id=neighbour_lot.id))
    tenant, tenant_profile, tenant_user = _tenant(session, "lemoine")
    opted_out, opted_profile, opted_user = _tenant(session, "morel")
    opted_user.email_notifications = False
    unenrolled = make_tenant(session, last_name="Sansacces")
    former, former_profile, former_user = _tenant(session, "ancien")
    neighbour, neighbour_profile, neighbour_user = _tenant(session, "voisin")
    stranger, stranger_profile, stranger_user = _tenant(session, "etranger")
    old_lease = make_lease(
        session,
        lot=lot,
        tenants=[former_profile],
        start_date=date(2020, 1, 1),
        end_date=date(2023, 12, 31),
    )
    lease = make_lease(session, lot=lot, tenants=[tenant_profile, opted_profile, unenrolled])
    make_lease(session, lot=neighbour_lot, tenants=[neighbour_profile])
    make_lease(session, lot=make_lot(session, reference="Z9"), tenants=[stranger_profile])
    session.commit()
    users = {
        "owner": owner_user,
        "other_owner": other_user,
        "tenant": tenant_user,
        "opted_out": opted_user,
        "former": former_user,
        "neighbour": neighbour_user,
        "stranger": stranger_user,
    }
    return Building(
        staff=as_session_user(staff_user),
        owner=owner,
        tenant=tenant,
        opted_out=opted_out,
        former=former,
        neighbour=neighbour,
        stranger=stranger,
        other_owner=other_owner,
        owner_profile=owner_profile,
        tenant_profile=tenant_profile,
        unenrolled=unenrolled,
        lot=lot,
        neighbour_lot=neighbour_lot,
        lease=lease,
        old_lease=old_lease,
        users=users,
    )
