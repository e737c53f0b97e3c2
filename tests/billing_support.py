"""Rent calls, payments and tenants for the Quittances de loyers and Facturations tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

from pypdf import PdfReader
from sqlmodel import Session, select

from extranet_app.models import (
    AgencySettings,
    Document,
    Lease,
    Payment,
    PaymentAllocation,
    RentCall,
    RentCallLine,
    Tenant,
    User,
)
from extranet_app.models.leases import RentCallKind
from extranet_app.services.auth import SessionUser
from extranet_app.services.documents import document_reference
from extranet_app.services.storage import read_bytes
from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user

TODAY = date(2026, 3, 18)


def month_end(start: date) -> date:
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def add_call(
    session: Session,
    *,
    lease: Lease,
    start: date,
    rent_cents: int = 65_000,
    charges_cents: int = 8_000,
    lines: tuple[tuple[str, int], ...] = (),
    kind: str = RentCallKind.RENT,
    label: str = "",
) -> RentCall:
    call = RentCall(
        lease_id=lease.id,
        kind=kind,
        label=label,
        period_start=start,
        period_end=month_end(start),
        due_date=start.replace(day=5),
        rent_cents=rent_cents,
        charges_cents=charges_cents,
        total_cents=rent_cents + charges_cents + sum(amount for _, amount in lines),
        created_at=datetime.combine(start - timedelta(days=10), datetime.min.time(), UTC),
    )
    session.add(call)
    session.flush()
    session.add_all(
        RentCallLine(rent_call_id=call.id, label=text, amount_cents=amount)
        for text, amount in lines
    )
    session.flush()
    return call


def pay(session: Session, *, call: RentCall, paid_on: date, amount_cents: int) -> Payment:
    payment = Payment(lease_id=call.lease_id, paid_on=paid_on, amount_cents=amount_cents)
    session.add(payment)
    session.flush()
    session.add(
        PaymentAllocation(payment_id=payment.id, rent_call_id=call.id, amount_cents=amount_cents)
    )
    session.flush()
    return payment


def session_user(user: User, tenants: list[Tenant], *, preview_by: int | None = None):
    return SessionUser(
        user_id=user.id,
        session_id=1,
        email=user.email,
        display_name=user.email,
        is_agency=False,
        is_admin=False,
        tenant_ids=tuple(tenant.id for tenant in tenants),
        owner_ids=(),
        previewed_by_user_id=preview_by,
    )


def add_agency(session: Session, *, name: str = "Agence Démo Immobilier") -> AgencySettings:
    agency = AgencySettings(
        id=1,
        name=name,
        address_line1="12 rue de la République",
        postal_code="69002",
        city="Lyon",
        siret="812 345 678 00021",
        professional_card="CPI 6901 2018 000 012 345",
        professional_card_issuer="CCI Lyon Métropole",
        financial_guarantee="GALIAN Assurances",
        iban="FR76 3000 4000 0500 0012 3456 789",
        bic="BNPAFRPPXXX",
    )
    session.add(agency)
    session.flush()
    return agency


@dataclass
class Household:
    """Camille and Sacha share a lease (Jan fully paid, Feb partly, Mar unpaid); Bob has his own."""

    camille: SessionUser
    sacha: SessionUser
    bob: SessionUser
    lease: Lease
    bob_lease: Lease
    january: RentCall
    february: RentCall
    march: RentCall
    bob_call: RentCall


def make_household(session: Session) -> Household:
    add_agency(session)
    owner = make_owner(session, last_name="Garnier")
    camille_user, sacha_user, bob_user = (make_user(session) for _ in range(3))
    camille = make_tenant(session, user=camille_user, last_name="Lefèvre")
    sacha = make_tenant(session, user=sacha_user, last_name="Nguyen")
    bob = make_tenant(session, user=bob_user, last_name="Bernard")
    lease = make_lease(
        session, lot=make_lot(session, owner=owner, reference="A12"), tenants=[camille, sacha]
    )
    lease.payment_reference = "LOY-A12"
    bob_lease = make_lease(session, lot=make_lot(session, reference="B3"), tenants=[bob])
    january = add_call(
        session,
        lease=lease,
        start=date(2026, 1, 1),
        rent_cents=123_456,
        charges_cents=9_000,
        lines=(("Taxe d'enlèvement des ordures ménagères", 1_500),),
    )
    pay(session, call=january, paid_on=date(2026, 1, 5), amount_cents=100_000)
    pay(session, call=january, paid_on=date(2026, 1, 12), amount_cents=33_956)
    february = add_call(session, lease=lease, start=date(2026, 2, 1))
    pay(session, call=february, paid_on=date(2026, 2, 6), amount_cents=30_000)
    march = add_call(session, lease=lease, start=date(2026, 3, 1))
    bob_call = add_call(session, lease=bob_lease, start=date(2026, 1, 1))
    pay(session, call=bob_call, paid_on=date(2026, 1, 4), amount_cents=bob_call.total_cents)
    session.commit()
    return Household(
        camille=session_user(camille_user, [camille]),
        sacha=session_user(sacha_user, [sacha]),
        bob=session_user(bob_user, [bob]),
        lease=lease,
        bob_lease=bob_lease,
        january=january,
        february=february,
        march=march,
        bob_call=bob_call,
    )


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as a reader (or a search) finds it."""
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def document_of(session: Session, reference: str) -> Document:
    """The stored document behind an opaque reference given to the page."""
    for document in session.exec(select(Document)).all():
        if document_reference(document.id) == reference:
            return document
    raise AssertionError("no document has this reference")


def pdf_of(session: Session, reference: str) -> str:
    """The text of the stored PDF behind `reference`."""
    return pdf_text(read_bytes(document_of(session, reference).storage_key))
