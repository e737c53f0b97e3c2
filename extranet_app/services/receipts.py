"""Quittances de loyers: each rent period of the tenant's leases, and the document it gives.

A fully paid period gives a quittance (art. 21 of loi n° 89-462), issued once, stored with its
hash and never regenerated; a partly paid one gives a reçu, a snapshot of what was received,
re-issued only when the amount received changes; an unpaid period gives nothing. The yearly
summary lists a lease's periods of a year. Both are free and always available; sending them
electronically needs the tenant's consent, which is recorded here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import extract, func
from sqlmodel import Session, col, select

from extranet_app.models import Lease, Lot, Property, RentCall, Tenant
from extranet_app.models.base import utcnow
from extranet_app.models.documents import DocumentCategory
from extranet_app.models.leases import RentCallKind
from extranet_app.pdf.receipts import (
    Issue,
    SummaryPeriod,
    render_payment_acknowledgement,
    render_rent_receipt,
    render_yearly_summary,
)
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_writable
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import (
    format_date,
    format_datetime,
    format_euros,
    format_month,
)
from extranet_app.services.paging import page_count
from extranet_app.services.rent_ledger import paid_cents_of_call
from extranet_app.services.tenant_billing import (
    STATUS_LABELS,
    DocumentUnavailable,
    IssuedDocument,
    LeaseChoice,
    NewDocument,
    PaymentStatus,
    agency_issue_identity,
    commit_generated,
    find_generated,
    issued,
    lease_parties,
    lock_lease,
    lot_label_of,
    my_call,
    my_lease_ids,
    payment_status,
    payments_by_call,
    period_amounts,
    refuse,
    store_generated,
    tenant_lease_choices,
    within_tenancy,
)
from extranet_app.services.timekeeping import today_in_france

PAGE_SIZE = 12  # a year of monthly periods
DOCUMENT_LABELS = {
    PaymentStatus.PAID: "Quittance",
    PaymentStatus.PARTIAL: "Reçu",
    PaymentStatus.UNPAID: "",
}


@dataclass(frozen=True)
class ReceiptRow:
    """A rent period as the Quittances de loyers page lists it (no ids)."""

    period: str
    lot_label: str
    rent: str
    charges: str
    other: str
    total: str
    paid: str
    remaining: str
    payment_dates: str
    status: str
    status_label: str
    document_label: str  # "Quittance", "Reçu", or "" when nothing can be issued yet


@dataclass(frozen=True)
class ConsentStatus:
    """The tenant's consent to receive quittances electronically (art. 21 loi 89-462)."""

    given: bool
    since: str  # "18/03/2026 à 10:42", "" when not given


@dataclass(frozen=True)
class ReceiptsQuery:
    """The filters of the page; `lease_id` is one of the user's (mapped from the page's choice)."""

    lease_id: int | None = None
    year: int | None = None
    page: int = 1


@dataclass(frozen=True)
class ReceiptsPage:
    """One page of periods, the filters' choices and the consent; ids stay on the server."""

    rows: tuple[ReceiptRow, ...]
    call_ids: tuple[int, ...]
    leases: tuple[LeaseChoice, ...]
    lease_ids: tuple[int, ...]
    years: tuple[int, ...]
    total: int
    page: int
    page_size: int
    consent: ConsentStatus

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def _my_periods(user: SessionUser, lease_id: int | None):
    """The rent periods (kind "loyer") of the user's own tenancies, optionally one lease."""
    statement = (
        select(RentCall, Lot, Property)
        .join(Lease, col(Lease.id) == col(RentCall.lease_id))
        .join(Lot, col(Lot.id) == col(Lease.lot_id))
        .join(Property, col(Property.id) == col(Lot.property_id))
        .where(col(RentCall.lease_id).in_(my_lease_ids(user)))
        .where(col(RentCall.kind) == RentCallKind.RENT)
        .where(within_tenancy())
    )
    if lease_id is not None:
        statement = statement.where(col(RentCall.lease_id) == lease_id)
    return statement


def latest_receipt_period(*, session: Session, user: SessionUser) -> str:
    """The newest of the user's periods that gives a quittance (fully paid), or ""."""
    newest_paid = (
        _my_periods(user, None)
        .where(paid_cents_of_call() >= col(RentCall.total_cents))
        .order_by(col(RentCall.period_start).desc())
        .limit(1)
    )
    row = session.exec(newest_paid).first()
    return format_month(row[0].period_start) if row else ""


def _in_year(statement, year: int | None):
    if year is None:
        return statement
    return statement.where(
        col(RentCall.period_start) >= date(year, 1, 1),
        col(RentCall.period_start) < date(year + 1, 1, 1),
    )


def _years(session: Session, user: SessionUser, lease_id: int | None) -> tuple[int, ...]:
    """The years that have periods, newest first, for the year filter."""
    periods = _my_periods(user, lease_id).subquery()
    year = extract("year", periods.c.period_start)
    rows = session.exec(select(func.distinct(year)).order_by(year.desc())).all()
    return tuple(int(value) for value in rows if value is not None)


def _row(call: RentCall, paid: int, lot: Lot, building: Property, dates: list) -> ReceiptRow:
    status = payment_status(total_cents=call.total_cents, paid_cents=paid)
    other = call.total_cents - call.rent_cents - call.charges_cents
    return ReceiptRow(
        period=format_month(call.period_start),
        lot_label=lot_label_of(lot, building),
        rent=format_euros(call.rent_cents),
        charges=format_euros(call.charges_cents),
        other=format_euros(other) if other else "",
        total=format_euros(call.total_cents),
        paid=format_euros(paid),
        remaining=format_euros(max(call.total_cents - paid, 0)),
        payment_dates=", ".join(format_date(line.paid_on) for line in dates) or "—",
        status=status.value,
        status_label=STATUS_LABELS[status],
        document_label=DOCUMENT_LABELS[status],
    )


def receipts_page(
    *, session: Session, user: SessionUser, query: ReceiptsQuery, page_size: int = PAGE_SIZE
) -> ReceiptsPage:
    """One page of the user's rent periods, newest first, with the filters and the consent.

    A fixed number of queries whatever the number of leases or periods; the page is cut by the
    database (LIMIT/OFFSET on an already filtered, indexed set of one tenant's calls).
    """
    choices = tenant_lease_choices(session=session, user=user, today=today_in_france())
    periods = _in_year(_my_periods(user, query.lease_id), query.year)
    total = session.exec(select(func.count()).select_from(periods.subquery())).one()
    page = min(max(1, query.page), page_count(total, page_size))
    rows = session.exec(
        periods.add_columns(paid_cents_of_call())
        .order_by(col(RentCall.period_start).desc(), col(RentCall.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    dates = payments_by_call(session=session, call_ids=[call.id for call, *_ in rows])
    return ReceiptsPage(
        rows=tuple(
            _row(call, paid, lot, building, dates.get(call.id, []))
            for call, lot, building, paid in rows
        ),
        call_ids=tuple(call.id for call, *_ in rows),
        leases=tuple(choice for _, choice in choices),
        lease_ids=tuple(lease_id for lease_id, _ in choices),
        years=_years(session, user, query.lease_id),
        total=total,
        page=page,
        page_size=page_size,
        consent=receipts_consent(session=session, user=user),
    )


def _issue_for(session: Session, call: RentCall, today: date | None) -> Issue:
    letterhead, place = agency_issue_identity(session)
    return Issue(letterhead=letterhead, place=place, issued_on=today or today_in_france())


def _receipt_document(
    session: Session, call: RentCall, paid_cents: int, today: date | None
) -> NewDocument:
    """Render the quittance (fully paid) or the reçu (partly paid) of `call` as it stands."""
    parties = lease_parties(session=session, lease_id=call.lease_id)
    amounts = period_amounts(session=session, call=call)
    payments = payments_by_call(session=session, call_ids=[call.id]).get(call.id, [])
    issue = _issue_for(session, call, today)
    month, suffix = format_month(call.period_start), call.period_start.strftime("%Y-%m")
    if paid_cents >= call.total_cents:
        data = render_rent_receipt(issue=issue, parties=parties, amounts=amounts, payments=payments)
        return NewDocument(
            data=data,
            category=DocumentCategory.RENT_RECEIPT,
            title=f"Quittance de loyer — {month}",
            filename=f"quittance-{suffix}.pdf",
            lease_id=call.lease_id,
            rent_call_id=call.id,
        )
    data = render_payment_acknowledgement(
        issue=issue, parties=parties, amounts=amounts, payments=payments
    )
    return NewDocument(
        data=data,
        category=DocumentCategory.PAYMENT_ACKNOWLEDGEMENT,
        title=f"Reçu de paiement partiel — {month} ({format_euros(paid_cents)} reçus)",
        filename=f"recu-{suffix}.pdf",
        lease_id=call.lease_id,
        rent_call_id=call.id,
        snapshot=_received_snapshot(paid_cents),
    )


def _received_snapshot(paid_cents: int) -> str:
    return f"montant reçu : {paid_cents} centimes"


def _existing_receipt(session: Session, call: RentCall, paid_cents: int):
    quittance = find_generated(
        session=session,
        category=DocumentCategory.RENT_RECEIPT,
        lease_id=call.lease_id,
        rent_call_id=call.id,
    )
    if quittance is not None or paid_cents >= call.total_cents:
        return quittance
    return find_generated(
        session=session,
        category=DocumentCategory.PAYMENT_ACKNOWLEDGEMENT,
        lease_id=call.lease_id,
        rent_call_id=call.id,
        snapshot=_received_snapshot(paid_cents),
    )


def issue_receipt(
    *, session: Session, user: SessionUser, rent_call_id: int, today: date | None = None
) -> IssuedDocument:
    """The quittance of a fully paid period of the user's, or the reçu of a partly paid one:
    the stored document when it exists, else rendered, stored and filed now."""
    kinds = {RentCallKind.RENT.value}
    facts = my_call(session=session, user=user, rent_call_id=rent_call_id, kinds=kinds)
    if facts is None:
        refuse(
            session=session,
            user=user,
            action="receipt.refused",
            detail={"rent_call_id": str(rent_call_id)[:20]},
        )
        raise AccessDenied("Période introuvable.")
    if facts.paid_cents <= 0 and facts.call.total_cents > 0:
        raise DocumentUnavailable("Aucun paiement n'a encore été reçu pour cette période.")
    existing = _existing_receipt(session, facts.call, facts.paid_cents)
    if existing is not None:
        return issued(existing)
    # Two clicks at once, or a payment recorded meanwhile: decide again under the lease's lock.
    lock_lease(session=session, lease_id=facts.call.lease_id)
    facts = my_call(session=session, user=user, rent_call_id=rent_call_id, kinds=kinds)
    existing = _existing_receipt(session, facts.call, facts.paid_cents)
    if existing is not None:
        session.commit()
        return issued(existing)
    new = _receipt_document(session, facts.call, facts.paid_cents, today)
    document = store_generated(session=session, user=user, new=new)
    return commit_generated(session=session, document=document)


def yearly_periods(
    *, session: Session, user: SessionUser, lease_id: int, year: int
) -> list[SummaryPeriod]:
    """The periods of `year` of one of the user's leases, with their payments (oldest first)."""
    rows = session.exec(
        _in_year(_my_periods(user, lease_id), year).order_by(col(RentCall.period_start))
    ).all()
    calls = [call for call, _, _ in rows]
    payments = payments_by_call(session=session, call_ids=[call.id for call in calls])
    return [
        SummaryPeriod(
            amounts=period_amounts(session=session, call=call),
            payments=tuple(payments.get(call.id, [])),
        )
        for call in calls
    ]


def _summary_snapshot(periods: list[SummaryPeriod]) -> str:
    """A fingerprint of the figures: the same figures give back the stored summary."""
    digest = hashlib.sha256(repr(periods).encode()).hexdigest()[:32]
    return f"empreinte des montants : {digest}"


def issue_yearly_summary(
    *, session: Session, user: SessionUser, lease_id: int, year: int, today: date | None = None
) -> IssuedDocument:
    """The récapitulatif annuel of one of the user's leases for `year` (stored, and re-issued
    only when its figures change, e.g. after a new payment)."""
    valid_year = type(year) is int and 1900 < year < 3000
    mine = (
        type(lease_id) is int
        and session.exec(
            select(Lease.id).where(col(Lease.id) == lease_id, col(Lease.id).in_(my_lease_ids(user)))
        ).first()
    )
    if not (valid_year and mine):
        refuse(
            session=session,
            user=user,
            action="receipt.summary_refused",
            detail={"lease_id": str(lease_id)[:20], "year": str(year)[:10]},
        )
        raise AccessDenied("Bail introuvable.")
    periods = yearly_periods(session=session, user=user, lease_id=lease_id, year=year)
    if not periods:
        raise DocumentUnavailable(f"Aucune période de loyer en {year} pour ce bail.")
    snapshot = _summary_snapshot(periods)
    existing = find_generated(
        session=session,
        category=DocumentCategory.RENT_RECEIPT,
        lease_id=lease_id,
        snapshot=snapshot,
    )
    if existing is not None:
        return issued(existing)
    letterhead, place = agency_issue_identity(session)
    data = render_yearly_summary(
        issue=Issue(letterhead=letterhead, place=place, issued_on=today or today_in_france()),
        parties=lease_parties(session=session, lease_id=lease_id),
        year=year,
        periods=periods,
    )
    new = NewDocument(
        data=data,
        category=DocumentCategory.RENT_RECEIPT,
        title=f"Récapitulatif annuel des loyers {year}",
        filename=f"recapitulatif-loyers-{year}.pdf",
        lease_id=lease_id,
        snapshot=snapshot,
    )
    document = store_generated(session=session, user=user, new=new)
    return commit_generated(session=session, document=document)


def _my_tenants(session: Session, user: SessionUser) -> list[Tenant]:
    return list(session.exec(select(Tenant).where(col(Tenant.id).in_(user.tenant_ids))).all())


def receipts_consent(*, session: Session, user: SessionUser) -> ConsentStatus:
    """Whether the user agreed to receive quittances electronically, and since when."""
    moments = [
        tenant.receipts_by_email_consent_at
        for tenant in _my_tenants(session, user)
        if tenant.receipts_by_email_consent_at is not None
    ]
    if not moments:
        return ConsentStatus(given=False, since="")
    return ConsentStatus(given=True, since=format_datetime(min(moments), separator=" à "))


def set_receipts_consent(
    *, session: Session, user: SessionUser, given: bool, now: datetime | None = None
) -> ConsentStatus:
    """Give (with today's date) or withdraw the consent to electronic quittances; audited."""
    require_writable(user, session=session)
    if type(given) is not bool:
        raise ValueError("given must be a bool")
    moment = now or utcnow()
    for tenant in _my_tenants(session, user):
        if given and tenant.receipts_by_email_consent_at is None:
            tenant.receipts_by_email_consent_at = moment
        elif not given:
            tenant.receipts_by_email_consent_at = None
        session.add(tenant)
    record_event(
        session=session,
        action="receipts.consent_given" if given else "receipts.consent_withdrawn",
        actor_user_id=user.user_id,
        target_type="user",
        target_id=user.user_id,
        detail={"tenant_ids": list(user.tenant_ids)},
    )
    session.commit()
    return receipts_consent(session=session, user=user)
