"""What Quittances de loyers and Facturations share: the tenant's own leases and rent calls,
what each call has received, and the PDFs the extranet generates once and keeps.

Every query here filters by the session user's tenant profiles, so a call or a lease of
someone else is simply not found.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import Session, col, select

from extranet_app.models import (
    AgencySettings,
    Document,
    Lease,
    LeaseTenant,
    Lot,
    Owner,
    Ownership,
    Payment,
    PaymentAllocation,
    Property,
    RentCall,
    RentCallLine,
    Tenant,
)
from extranet_app.models.documents import DocumentSource
from extranet_app.pdf.base import Letterhead, letterhead_from, lot_label
from extranet_app.pdf.receipts import LeaseParties, PaymentLine, PeriodAmounts
from extranet_app.services.agency import AGENCY_SETTINGS_ID, get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser
from extranet_app.services.documents import document_reference
from extranet_app.services.rent_ledger import paid_cents_of_call
from extranet_app.services.storage import delete_stored, store_bytes
from extranet_app.services.timekeeping import AGENCY_TIMEZONE
from extranet_app.settings import get_settings

PDF_MIME = "application/pdf"


class PaymentStatus(StrEnum):
    """How much of a rent call or an invoice has been paid."""

    PAID = "payee"
    PARTIAL = "partiellement_payee"
    UNPAID = "impayee"


STATUS_LABELS = {
    PaymentStatus.PAID: "Payée",
    PaymentStatus.PARTIAL: "Partiellement payée",
    PaymentStatus.UNPAID: "Impayée",
}


class DocumentUnavailable(Exception):
    """No document can be issued for this row (yet); the message is French, for the tenant."""


@dataclass(frozen=True)
class LeaseChoice:
    """A lease in the tenant's lease filter: no id, only what the tenant recognises."""

    label: str


@dataclass(frozen=True)
class IssuedDocument:
    """A generated document, named for the download route by its opaque reference."""

    reference: str
    title: str


@dataclass(frozen=True)
class CallFacts:
    """A rent call of the user's own leases, with what it has received so far."""

    call: RentCall
    paid_cents: int


def payment_status(*, total_cents: int, paid_cents: int) -> PaymentStatus:
    """Paid, partly paid or unpaid: what the allocations of a call add up to."""
    if paid_cents >= total_cents:
        return PaymentStatus.PAID
    return PaymentStatus.PARTIAL if paid_cents > 0 else PaymentStatus.UNPAID


def my_lease_ids(user: SessionUser):
    """The ids of the leases on which the user is a tenant (or co-tenant), as a subquery."""
    return select(LeaseTenant.lease_id).where(col(LeaseTenant.tenant_id).in_(user.tenant_ids))


def within_tenancy() -> ColumnElement[bool]:
    """A call belongs to the tenancy only between the lease's start and end: a former tenant
    sees the periods of their own lease, never those of whoever rents the lot afterwards."""
    return and_(
        col(RentCall.period_end) >= col(Lease.start_date),
        or_(col(Lease.end_date).is_(None), col(RentCall.period_start) <= col(Lease.end_date)),
    )


def lot_label_of(lot: Lot, building: Property) -> str:
    """ "Résidence Les Tilleuls — lot A12", as Loyers impayés names a lot."""
    return f"{building.name} — lot {lot.reference}"


def tenant_lease_choices(
    *, session: Session, user: SessionUser, today: date
) -> list[tuple[int, LeaseChoice]]:
    """The user's leases (current first, then ended ones), each with the label the filter shows."""
    rows = session.exec(
        select(Lease, Lot, Property)
        .join(Lot, col(Lot.id) == col(Lease.lot_id))
        .join(Property, col(Property.id) == col(Lot.property_id))
        .where(col(Lease.id).in_(my_lease_ids(user)))
        .order_by(col(Lease.end_date).is_not(None), Property.name, Lot.reference, Lease.id)
    ).all()
    choices = []
    for lease, lot, building in rows:
        label = lot_label_of(lot, building)
        if lease.end_date is not None and lease.end_date < today:
            label += f" (bail terminé le {lease.end_date.strftime('%d/%m/%Y')})"
        choices.append((lease.id, LeaseChoice(label=label)))
    return choices


def my_call(
    *, session: Session, user: SessionUser, rent_call_id: object, kinds: set[str] | None = None
) -> CallFacts | None:
    """The call `rent_call_id` if it belongs to one of the user's leases (and tenancies)."""
    if type(rent_call_id) is not int:
        return None
    statement = (
        select(RentCall, paid_cents_of_call())
        .join(Lease, col(Lease.id) == col(RentCall.lease_id))
        .where(col(RentCall.id) == rent_call_id)
        .where(col(RentCall.lease_id).in_(my_lease_ids(user)))
        .where(within_tenancy())
    )
    if kinds:
        statement = statement.where(col(RentCall.kind).in_(kinds))
    row = session.exec(statement).first()
    return CallFacts(call=row[0], paid_cents=row[1]) if row else None


def lock_lease(*, session: Session, lease_id: int) -> None:
    """Take the lease's write lock (as recording a payment does): a document issued from the
    amounts paid then never races a payment, nor another request issuing the same document."""
    session.exec(update(Lease).where(col(Lease.id) == lease_id).values(id=Lease.id))


def refuse(*, session: Session, user: SessionUser, action: str, detail: dict) -> None:
    """Audit a refused request and commit it (the caller then raises)."""
    record_event(
        session=session,
        action=action,
        actor_user_id=user.previewed_by_user_id or user.user_id,
        allowed=False,
        detail=detail,
    )
    session.commit()


def agency_issue_identity(session: Session) -> tuple[Letterhead, str]:
    """The agency as documents print it, and the town where they are issued ("Fait à …")."""
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is not None:
        return letterhead_from(row), row.city
    identity, settings = get_agency_identity(session=session), get_settings()
    return Letterhead(name=identity.name, address_lines=(identity.address,)), settings.agency_city


def lease_parties(*, session: Session, lease_id: int) -> LeaseParties:
    """Landlords, tenants, premises and address of a lease, as rent documents name them."""
    lease, lot, building = session.exec(
        select(Lease, Lot, Property)
        .join(Lot, col(Lot.id) == col(Lease.lot_id))
        .join(Property, col(Property.id) == col(Lot.property_id))
        .where(col(Lease.id) == lease_id)
    ).one()
    owners = session.exec(
        select(Owner)
        .join(Ownership, col(Ownership.owner_id) == col(Owner.id))
        .where(col(Ownership.lot_id) == lot.id)
        .order_by(Owner.last_name, Owner.id)
    ).all()
    tenants = session.exec(
        select(Tenant)
        .join(LeaseTenant, col(LeaseTenant.tenant_id) == col(Tenant.id))
        .where(col(LeaseTenant.lease_id) == lease_id)
        .order_by(Tenant.last_name, Tenant.id)
    ).all()
    street = [part for part in (building.address_line1, building.address_line2) if part]
    return LeaseParties(
        landlords=tuple(owner.full_name for owner in owners),
        tenants=tuple(tenant.full_name for tenant in tenants),
        premises=_premises(lot),
        address="\n".join([*street, f"{building.postal_code} {building.city}"]),
        lease_reference=lease.external_ref or lease.payment_reference,
    )


def _premises(lot: Lot) -> str:
    parts = [lot_label(lot)]
    if lot.floor:
        parts.append(f"étage : {lot.floor}")
    if lot.surface_m2:
        parts.append(f"{lot.surface_m2:.1f} m²".replace(".", ","))
    return ", ".join(parts)


def period_amounts(*, session: Session, call: RentCall) -> PeriodAmounts:
    """A call's rent, charges and other sums (its lines), as printed."""
    lines = session.exec(
        select(RentCallLine.label, RentCallLine.amount_cents)
        .where(col(RentCallLine.rent_call_id) == call.id)
        .order_by(RentCallLine.id)
    ).all()
    return PeriodAmounts(
        period_start=call.period_start,
        period_end=call.period_end,
        rent_cents=call.rent_cents,
        charges_cents=call.charges_cents,
        other_sums=tuple((label, amount) for label, amount in lines),
    )


def payments_by_call(*, session: Session, call_ids: list[int]) -> dict[int, list[PaymentLine]]:
    """For each call, the payments applied to it (date, amount applied), oldest first."""
    if not call_ids:
        return {}
    rows = session.exec(
        select(PaymentAllocation.rent_call_id, Payment.paid_on, PaymentAllocation.amount_cents)
        .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(col(PaymentAllocation.rent_call_id).in_(call_ids))
        .order_by(Payment.paid_on, Payment.id)
    ).all()
    found: dict[int, list[PaymentLine]] = defaultdict(list)
    for call_id, paid_on, amount in rows:
        found[call_id].append(PaymentLine(paid_on=paid_on, amount_cents=amount))
    return found


def find_generated(
    *,
    session: Session,
    category: str,
    lease_id: int,
    rent_call_id: int | None = None,
    snapshot: str = "",
) -> Document | None:
    """The document already generated for this call (or lease) and content snapshot, if any."""
    return session.exec(
        select(Document)
        .where(col(Document.category) == category)
        .where(col(Document.source) == DocumentSource.GENERATED)
        .where(col(Document.lease_id) == lease_id)
        .where(col(Document.rent_call_id) == rent_call_id)
        .where(col(Document.comment) == snapshot)
        .order_by(col(Document.id))
    ).first()


@dataclass(frozen=True)
class NewDocument:
    """A PDF just rendered, and how to file it."""

    data: bytes
    category: str
    title: str
    filename: str
    lease_id: int
    rent_call_id: int | None = None
    # What the content was made from, when the same document may be issued again later with
    # other figures (a reçu after another partial payment, a summary of the current year).
    snapshot: str = ""


def store_generated(*, session: Session, user: SessionUser, new: NewDocument) -> Document:
    """Write the PDF to private storage and file it on the lease, visible to its tenants; the
    caller commits (and calls `forget_stored` if that fails)."""
    stored = store_bytes(data=new.data, extension="pdf")
    document = Document(
        lease_id=new.lease_id,
        rent_call_id=new.rent_call_id,
        category=new.category,
        source=DocumentSource.GENERATED,
        title=new.title,
        comment=new.snapshot,
        visible_to_tenants=True,
        storage_key=stored.storage_key,
        original_filename=new.filename,
        mime_type=PDF_MIME,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )
    session.add(document)
    session.flush()
    record_event(
        session=session,
        action="document.generated",
        actor_user_id=user.previewed_by_user_id or user.user_id,
        target_type="document",
        target_id=document.id,
        detail={"category": new.category, "lease_id": new.lease_id, "sha256": stored.sha256},
    )
    return document


def commit_generated(*, session: Session, document: Document) -> IssuedDocument:
    """Commit the use case that stored `document`; its file goes if the commit fails."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        delete_stored(document.storage_key)
        raise
    return issued(document)


def issued(document: Document) -> IssuedDocument:
    """The reference and title of a stored document, for the page."""
    return IssuedDocument(reference=document_reference(document.id), title=document.title)


def paris_date(moment: datetime) -> date:
    """The French calendar day of a stored UTC instant."""
    return moment.astimezone(AGENCY_TIMEZONE).date()
