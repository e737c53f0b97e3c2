"""Facturations: the avis d'échéance of each period and the tenant's other invoices, with what
has been paid on each (payée, partiellement payée, impayée).

An avis d'échéance or an invoice is made from its call alone and dated the day the call was
issued: it is stored once, on first download, and never regenerated.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from extranet_app.models import Lease, Lot, Property, RentCall
from extranet_app.models.documents import DocumentCategory
from extranet_app.models.leases import RentCallKind
from extranet_app.pdf.invoices import PaymentInstructions, render_invoice, render_rent_notice
from extranet_app.pdf.receipts import Issue
from extranet_app.services.agency import format_payment_reference, get_agency_identity
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_date, format_euros, format_month
from extranet_app.services.paging import page_count
from extranet_app.services.rent_ledger import paid_cents_of_call
from extranet_app.services.tenant_billing import (
    STATUS_LABELS,
    IssuedDocument,
    LeaseChoice,
    NewDocument,
    agency_issue_identity,
    commit_generated,
    find_generated,
    issued,
    lease_parties,
    lock_lease,
    lot_label_of,
    my_call,
    my_lease_ids,
    paris_date,
    payment_status,
    period_amounts,
    refuse,
    store_generated,
    tenant_lease_choices,
    within_tenancy,
)
from extranet_app.services.timekeeping import today_in_france

PAGE_SIZE = 12
KIND_LABELS = {
    RentCallKind.RENT: "Avis d'échéance",
    RentCallKind.CHARGES_RECONCILIATION: "Régularisation des charges",
    RentCallKind.REPAIRS: "Refacturation de travaux",
    RentCallKind.OTHER: "Facture",
}


@dataclass(frozen=True)
class InvoiceRow:
    """An avis d'échéance or an invoice as the Facturations page lists it (no ids)."""

    title: str
    kind_label: str
    is_rent_notice: bool
    lot_label: str
    issued_on: str
    due_date: str
    amount: str
    paid: str
    remaining: str
    status: str
    status_label: str


@dataclass(frozen=True)
class InvoicesPage:
    """One page of invoices, newest first, and the lease filter's choices; ids stay here."""

    rows: tuple[InvoiceRow, ...]
    call_ids: tuple[int, ...]
    leases: tuple[LeaseChoice, ...]
    lease_ids: tuple[int, ...]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def kind_label(kind: str) -> str:
    """The French name of a call's kind ("Facture" for an unknown one)."""
    return KIND_LABELS.get(kind, KIND_LABELS[RentCallKind.OTHER])


def invoice_title(call: RentCall) -> str:
    """ "Avis d'échéance — mars 2026", or an invoice's own label."""
    if call.kind == RentCallKind.RENT:
        return f"Avis d'échéance — {format_month(call.period_start)}"
    return call.label or kind_label(call.kind)


def _my_calls(user: SessionUser, lease_id: int | None):
    statement = (
        select(RentCall, Lot, Property)
        .join(Lease, col(Lease.id) == col(RentCall.lease_id))
        .join(Lot, col(Lot.id) == col(Lease.lot_id))
        .join(Property, col(Property.id) == col(Lot.property_id))
        .where(col(RentCall.lease_id).in_(my_lease_ids(user)))
        .where(within_tenancy())
    )
    if lease_id is not None:
        statement = statement.where(col(RentCall.lease_id) == lease_id)
    return statement


def _row(call: RentCall, paid: int, lot: Lot, building: Property) -> InvoiceRow:
    status = payment_status(total_cents=call.total_cents, paid_cents=paid)
    return InvoiceRow(
        title=invoice_title(call),
        kind_label=kind_label(call.kind),
        is_rent_notice=call.kind == RentCallKind.RENT,
        lot_label=lot_label_of(lot, building),
        issued_on=format_date(paris_date(call.created_at)),
        due_date=format_date(call.due_date),
        amount=format_euros(call.total_cents),
        paid=format_euros(paid),
        remaining=format_euros(max(call.total_cents - paid, 0)),
        status=status.value,
        status_label=STATUS_LABELS[status],
    )


def invoices_page(
    *,
    session: Session,
    user: SessionUser,
    lease_id: int | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> InvoicesPage:
    """One page of the user's avis d'échéance and invoices, newest due date first.

    Three queries whatever the size: the leases, the count, the page (LIMIT/OFFSET).
    """
    choices = tenant_lease_choices(session=session, user=user, today=today_in_france())
    calls = _my_calls(user, lease_id)
    total = session.exec(select(func.count()).select_from(calls.subquery())).one()
    page = min(max(1, page), page_count(total, page_size))
    rows = session.exec(
        calls.add_columns(paid_cents_of_call())
        .order_by(col(RentCall.due_date).desc(), col(RentCall.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return InvoicesPage(
        rows=tuple(_row(call, paid, lot, building) for call, lot, building, paid in rows),
        call_ids=tuple(call.id for call, *_ in rows),
        leases=tuple(choice for _, choice in choices),
        lease_ids=tuple(choice_id for choice_id, _ in choices),
        total=total,
        page=page,
        page_size=page_size,
    )


def _invoice_lines(session: Session, call: RentCall) -> list[tuple[str, int]]:
    amounts = period_amounts(session=session, call=call)
    charges_label = (
        kind_label(call.kind) if call.kind == RentCallKind.CHARGES_RECONCILIATION else "Charges"
    )
    lines = [("Loyer", amounts.rent_cents), (charges_label, amounts.charges_cents)]
    lines = [(label, amount) for label, amount in lines if amount]
    return [*lines, *amounts.other_sums] or [(invoice_title(call), call.total_cents)]


def _render(session: Session, call: RentCall) -> bytes:
    letterhead, place = agency_issue_identity(session)
    agency = get_agency_identity(session=session)
    lease = session.get(Lease, call.lease_id)
    lot = session.get(Lot, lease.lot_id) if lease else None
    payment = PaymentInstructions(
        beneficiary=agency.name,
        iban=agency.iban,
        bic=agency.bic,
        # The same reference Loyers impayés tells the tenant to quote (the agency's pattern).
        reference=format_payment_reference(
            agency.payment_reference_pattern,
            lease_reference=lease.payment_reference if lease else "",
            lot_reference=lot.reference if lot else "",
        ),
    )
    # Dated the day the call was issued: the document is what the tenant was sent then.
    issue = Issue(letterhead=letterhead, place=place, issued_on=paris_date(call.created_at))
    parties = lease_parties(session=session, lease_id=call.lease_id)
    if call.kind == RentCallKind.RENT:
        return render_rent_notice(
            issue=issue,
            parties=parties,
            amounts=period_amounts(session=session, call=call),
            due_date=call.due_date,
            payment=payment,
        )
    return render_invoice(
        issue=issue,
        parties=parties,
        title=invoice_title(call),
        lines=_invoice_lines(session, call),
        due_date=call.due_date,
        payment=payment,
    )


def _new_document(session: Session, call: RentCall) -> NewDocument:
    is_notice = call.kind == RentCallKind.RENT
    suffix = call.period_start.strftime("%Y-%m")
    return NewDocument(
        data=_render(session, call),
        category=DocumentCategory.RENT_NOTICE if is_notice else DocumentCategory.INVOICE,
        title=invoice_title(call) if is_notice else f"Facture — {invoice_title(call)}",
        filename=f"avis-echeance-{suffix}.pdf" if is_notice else f"facture-{suffix}.pdf",
        lease_id=call.lease_id,
        rent_call_id=call.id,
    )


def _existing(session: Session, call: RentCall):
    category = (
        DocumentCategory.RENT_NOTICE if call.kind == RentCallKind.RENT else DocumentCategory.INVOICE
    )
    return find_generated(
        session=session, category=category, lease_id=call.lease_id, rent_call_id=call.id
    )


def issue_invoice_document(
    *, session: Session, user: SessionUser, rent_call_id: int
) -> IssuedDocument:
    """The avis d'échéance or invoice PDF of one of the user's calls (stored on first use)."""
    facts = my_call(session=session, user=user, rent_call_id=rent_call_id)
    if facts is None:
        refuse(
            session=session,
            user=user,
            action="invoice.refused",
            detail={"rent_call_id": str(rent_call_id)[:20]},
        )
        raise AccessDenied("Facture introuvable.")
    existing = _existing(session, facts.call)
    if existing is not None:
        return issued(existing)
    lock_lease(session=session, lease_id=facts.call.lease_id)
    existing = _existing(session, facts.call)
    if existing is not None:
        session.commit()
        return issued(existing)
    document = store_generated(session=session, user=user, new=_new_document(session, facts.call))
    return commit_generated(session=session, document=document)
