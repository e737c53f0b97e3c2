"""The figures of the management reports, to the cent, for one or thousands of owners at once.

Amounts are first gathered per lot (the whole lot, in a fixed number of queries whatever the
number of lots), then each owner's part is taken, then the mandate's fees are added.

Rounding rules (each keeps every sum exact, so the lines of a report add up to its totals):
- Co-owners: each amount of a lot is split between its co-owners in proportion to their
  `share_bp` by the largest-remainder method: everyone gets the floor of their exact part, and
  the cents left over go one by one to the largest fractional parts (ties: the lowest owner id
  first; a share of the lot owned by nobody in the database also counts as a participant). The
  parts of all co-owners therefore add up exactly to the lot's amount.
- Rent received: a payment settles a rent call's rent and charges in proportion. The rent part of
  the first x cents paid on a call is floor(x * rent / total), so once a call is fully paid its
  rent part is exactly its rent, whatever the number of instalments.
- Fees: like an invoice, on the report's total: fees excl. VAT = rate x rents received, VAT =
  VAT rate x fees, each rounded half up to the cent; then split over the lots in proportion to
  each lot's rents received (largest remainder again), so the lots' fees add up to the total.
- Net = received - expenses - fees - VAT, per lot and in total (sums of exact parts).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date

from sqlalchemy import Select, func, or_
from sqlmodel import Session, col, select

from extranet_app.models import (
    Lease,
    Lot,
    ManagementMandate,
    MandateLot,
    OwnerExpense,
    Ownership,
    Payment,
    PaymentAllocation,
    Property,
    RentCall,
)
from extranet_app.pdf.base import lot_label
from extranet_app.services.report_periods import ReportPeriod, periods_of_year, year_period

FULL_SHARE_BP = 10_000
_UNOWNED = -1  # the participant standing for a part of a lot that nobody in the database owns


@dataclass
class Amounts:
    """Money of one lot (or one owner's part of it) over a period, in cents."""

    rents_called: int = 0
    charges_called: int = 0  # everything called that is not rent: charges, other lines, invoices
    received: int = 0
    rents_received: int = 0
    arrears: int = 0  # still owed at the end of the period on calls due by then
    expenses: int = 0

    def add(self, other: Amounts) -> None:
        """Add `other` into this one."""
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


@dataclass(frozen=True)
class ReportLine:
    """One lot of a report: the owner's part of its amounts, fees and net, in cents."""

    lot_id: int
    lot_label: str
    share_bp: int
    rents_called: int
    charges_called: int
    received: int
    rents_received: int
    arrears: int
    expenses: int
    fees: int
    fees_vat: int

    @property
    def net(self) -> int:
        """What the owner gets for this lot: received less expenses, fees and their VAT."""
        return self.received - self.expenses - self.fees - self.fees_vat


@dataclass(frozen=True)
class ReportFigures:
    """Everything a report says, for one mandate (one owner) and one period."""

    mandate_id: int
    owner_id: int
    mandate_number: str
    period: ReportPeriod
    fee_rate_bp: int
    vat_rate_bp: int
    lines: tuple[ReportLine, ...]
    totals: ReportLine  # lot_id 0: the sums of the lines

    def fingerprint(self) -> str:
        """SHA-256 of the figures: equal figures, equal fingerprint (publication compares it)."""
        payload = {
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "rates": [self.fee_rate_bp, self.vat_rate_bp],
            "lines": [asdict(line) for line in self.lines],
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class MandateScope:
    """A mandate to report on, its lots (id, printed label) in a stable order."""

    mandate_id: int
    owner_id: int
    number: str
    fee_rate_bp: int
    vat_rate_bp: int
    cadence: str  # the mandate's ReportingPeriod
    lots: tuple[tuple[int, str], ...]


@dataclass
class LedgerFacts:
    """Per-lot amounts of a date range, month by month, and the arrears at the range's end."""

    months: dict[int, dict[date, Amounts]] = field(default_factory=dict)  # lot -> month -> sums
    arrears: dict[int, int] = field(default_factory=dict)

    def amounts(self, lot_id: int, start: date, end: date) -> Amounts:
        """The lot's amounts for the months from `start` to `end`, with the arrears at the end of
        the loaded range."""
        total = Amounts()
        for month, amounts in self.months.get(lot_id, {}).items():
            if start <= month <= end:
                total.add(amounts)
        total.arrears = self.arrears.get(lot_id, 0)
        return total

    def at(self, lot_id: int, day: date) -> Amounts:
        """The (mutable) sums of the lot for the month of `day`."""
        return self.months.setdefault(lot_id, {}).setdefault(day.replace(day=1), Amounts())


# --- Splitting cents exactly ------------------------------------------------------------------


def split_cents(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights`, summing exactly to `total` (largest remainder;
    ties go to the earlier weight)."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * weight for weight in weights]
    parts = [value // weight_sum for value in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda index: (-(exact[index] % weight_sum), index))
    for index in order[:left]:
        parts[index] += 1
    return parts


def percent_of(amount: int, rate_bp: int) -> int:
    """`rate_bp` basis points of `amount`, rounded half up to the cent."""
    return (amount * rate_bp + FULL_SHARE_BP // 2) // FULL_SHARE_BP


def rent_part(paid: int, rent: int, total: int) -> int:
    """The rent in the first `paid` cents of a call of `rent` out of `total` (floored)."""
    return paid * rent // total if total else 0


# --- Loading -------------------------------------------------------------------------------------


def _lots_in(lot_ids: Select) -> Select:
    return select(Lease.id).where(col(Lease.lot_id).in_(lot_ids))


def load_ledger_facts(
    *, session: Session, lot_ids: Select, start: date, end: date, with_arrears: bool = True
) -> LedgerFacts:
    """Amounts called, received and spent per lot and month from `start` to `end`, and arrears
    at `end`, for the lots selected by `lot_ids` (four queries whatever their number)."""
    facts = LedgerFacts()
    _add_calls(session, facts, lot_ids, start, end)
    _add_receipts(session, facts, lot_ids, start, end)
    _add_expenses(session, facts, lot_ids, start, end)
    if with_arrears:
        facts.arrears = _arrears(session, lot_ids, end)
    return facts


def _add_calls(session: Session, facts: LedgerFacts, lot_ids, start: date, end: date) -> None:
    rows = session.exec(
        select(
            Lease.lot_id,
            RentCall.period_start,
            func.sum(RentCall.rent_cents),
            func.sum(RentCall.total_cents - RentCall.rent_cents),
        )
        .join(Lease, Lease.id == RentCall.lease_id)
        .where(col(RentCall.lease_id).in_(_lots_in(lot_ids)))
        .where(RentCall.period_start >= start, RentCall.period_start <= end)
        .group_by(Lease.lot_id, RentCall.period_start)
    ).all()
    for lot_id, period_start, rents, others in rows:
        amounts = facts.at(lot_id, period_start)
        amounts.rents_called += rents
        amounts.charges_called += others


def _add_receipts(session: Session, facts: LedgerFacts, lot_ids, start: date, end: date) -> None:
    """Money received in the range; earlier instalments of the same calls are read too, because
    the rent part of a payment depends on what was paid on the call before it."""
    in_range = (
        select(PaymentAllocation.rent_call_id)
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .join(RentCall, RentCall.id == PaymentAllocation.rent_call_id)
        .where(col(RentCall.lease_id).in_(_lots_in(lot_ids)))
        .where(Payment.paid_on >= start, Payment.paid_on <= end)
    )
    rows = session.exec(
        select(
            Lease.lot_id,
            RentCall.id,
            RentCall.rent_cents,
            RentCall.total_cents,
            Payment.paid_on,
            PaymentAllocation.amount_cents,
        )
        .join(RentCall, RentCall.id == PaymentAllocation.rent_call_id)
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .join(Lease, Lease.id == RentCall.lease_id)
        .where(col(RentCall.id).in_(in_range), Payment.paid_on <= end)
        .order_by(RentCall.id, Payment.paid_on, Payment.id, PaymentAllocation.id)
    ).all()
    paid_so_far: dict[int, int] = defaultdict(int)
    for lot_id, call_id, rent, total, paid_on, amount in rows:
        before = paid_so_far[call_id]
        paid_so_far[call_id] = before + amount
        if paid_on < start:
            continue
        amounts = facts.at(lot_id, paid_on)
        amounts.received += amount
        amounts.rents_received += rent_part(before + amount, rent, total) - rent_part(
            before, rent, total
        )


def _add_expenses(session: Session, facts: LedgerFacts, lot_ids, start: date, end: date) -> None:
    rows = session.exec(
        select(OwnerExpense.lot_id, OwnerExpense.spent_on, OwnerExpense.amount_cents)
        .where(col(OwnerExpense.lot_id).in_(lot_ids))
        .where(OwnerExpense.spent_on >= start, OwnerExpense.spent_on <= end)
    ).all()
    for lot_id, spent_on, amount in rows:
        facts.at(lot_id, spent_on).expenses += amount


def _arrears(session: Session, lot_ids, end: date) -> dict[int, int]:
    # Correlated: each call looks up its own allocations through their index, so an owner's
    # few calls never make the database add up the allocations of the whole agency.
    paid_by_end = (
        select(func.coalesce(func.sum(PaymentAllocation.amount_cents), 0))
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(PaymentAllocation.rent_call_id == RentCall.id, Payment.paid_on <= end)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Lease.lot_id, func.sum(RentCall.total_cents - paid_by_end))
        .join(Lease, Lease.id == RentCall.lease_id)
        .where(col(RentCall.lease_id).in_(_lots_in(lot_ids)), RentCall.due_date <= end)
        .group_by(Lease.lot_id)
    ).all()
    return {lot_id: int(owed or 0) for lot_id, owed in rows}


def load_shares(*, session: Session, lot_ids: Select) -> dict[int, list[tuple[int, int]]]:
    """Every co-owner's (owner id, share_bp) of each lot, by lot id, lowest owner id first."""
    rows = session.exec(
        select(Ownership.lot_id, Ownership.owner_id, Ownership.share_bp)
        .where(col(Ownership.lot_id).in_(lot_ids))
        .order_by(Ownership.lot_id, Ownership.owner_id)
    ).all()
    shares: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for lot_id, owner_id, share_bp in rows:
        shares[lot_id].append((owner_id, share_bp))
    return dict(shares)


def active_mandates(period: ReportPeriod, cadence: str | None = None):
    """The SQL condition of mandates running during `period` (and reporting with `cadence`)."""
    condition = (col(ManagementMandate.start_date) <= period.end) & or_(
        col(ManagementMandate.end_date).is_(None), ManagementMandate.end_date >= period.start
    )
    if cadence is not None:
        condition = condition & (ManagementMandate.reporting_period == cadence)
    return condition


def load_scopes(*, session: Session, mandate_ids: Iterable[int]) -> list[MandateScope]:
    """The mandates of `mandate_ids` with their lots and labels (one query)."""
    rows = session.exec(
        select(ManagementMandate, Lot, Property)
        .join(MandateLot, MandateLot.mandate_id == ManagementMandate.id)
        .join(Lot, Lot.id == MandateLot.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(col(ManagementMandate.id).in_(list(mandate_ids)))
        .order_by(ManagementMandate.id, Property.name, Lot.reference, Lot.id)
    ).all()
    lots: dict[int, list[tuple[int, str]]] = defaultdict(list)
    mandates: dict[int, ManagementMandate] = {}
    for mandate, lot, building in rows:
        mandates[mandate.id] = mandate
        lots[mandate.id].append((lot.id, f"{lot_label(lot)} — {building.name}"))
    return [
        MandateScope(
            mandate_id=mandate.id,
            owner_id=mandate.owner_id,
            number=mandate.number,
            fee_rate_bp=mandate.fee_rate_bp,
            vat_rate_bp=mandate.vat_rate_bp,
            cadence=mandate.reporting_period,
            lots=tuple(lots[mandate.id]),
        )
        for mandate in mandates.values()
    ]


def scope_lot_ids(mandate_ids: Iterable[int]) -> Select:
    """The lots of the mandates, as a subquery for load_ledger_facts and load_shares."""
    return select(MandateLot.lot_id).where(col(MandateLot.mandate_id).in_(list(mandate_ids)))


# --- Computing ------------------------------------------------------------------------------------


def owner_part(amounts: Amounts, owner_id: int, shares: list[tuple[int, int]]) -> Amounts:
    """`owner_id`'s part of a lot's amounts, the lot being shared as `shares` says."""
    participants = list(shares)
    owned = sum(share for _, share in participants)
    if owned < FULL_SHARE_BP:
        participants.append((_UNOWNED, FULL_SHARE_BP - owned))
    ids = [owner for owner, _ in participants]
    if owner_id not in ids:
        return Amounts()
    position = ids.index(owner_id)
    weights = [share for _, share in participants]
    values = {
        item.name: split_cents(getattr(amounts, item.name), weights)[position]
        for item in fields(Amounts)
    }
    return Amounts(**values)


def share_of(owner_id: int, shares: list[tuple[int, int]]) -> int:
    """The owner's share of a lot in basis points (0 when they own none of it)."""
    return next((share for owner, share in shares if owner == owner_id), 0)


def compute_figures(
    *,
    scope: MandateScope,
    period: ReportPeriod,
    facts: LedgerFacts,
    shares: dict[int, list[tuple[int, int]]],
) -> ReportFigures:
    """One mandate's report for `period` from the loaded facts (no database access)."""
    parts = []
    for lot_id, label in scope.lots:
        lot_shares = shares.get(lot_id, [])
        amounts = owner_part(
            facts.amounts(lot_id, period.start, period.end), scope.owner_id, lot_shares
        )
        parts.append((lot_id, label, share_of(scope.owner_id, lot_shares), amounts))
    rents_received = sum(amounts.rents_received for *_, amounts in parts)
    fees_total = percent_of(rents_received, scope.fee_rate_bp)
    vat_total = percent_of(fees_total, scope.vat_rate_bp)
    fees = split_cents(fees_total, [amounts.rents_received for *_, amounts in parts])
    vats = split_cents(vat_total, fees)
    lines = tuple(
        ReportLine(lot_id, label, share_bp, **asdict(amounts), fees=fee, fees_vat=vat)
        for (lot_id, label, share_bp, amounts), fee, vat in zip(parts, fees, vats, strict=True)
    )
    return ReportFigures(
        mandate_id=scope.mandate_id,
        owner_id=scope.owner_id,
        mandate_number=scope.number,
        period=period,
        fee_rate_bp=scope.fee_rate_bp,
        vat_rate_bp=scope.vat_rate_bp,
        lines=lines,
        totals=sum_lines(lines),
    )


def sum_lines(lines: Sequence[ReportLine]) -> ReportLine:
    """The totals line: every amount summed (so the lines add up to it by construction)."""
    names = [item.name for item in fields(ReportLine)][3:]
    sums = {name: sum(getattr(line, name) for line in lines) for name in names}
    return ReportLine(0, "Total", 0, **sums)


def compute_period(
    *, session: Session, mandate_ids: Sequence[int], period: ReportPeriod
) -> list[ReportFigures]:
    """The figures of `period` for every mandate of `mandate_ids`, in a fixed number of queries."""
    if not mandate_ids:
        return []
    lots = scope_lot_ids(mandate_ids)
    facts = load_ledger_facts(session=session, lot_ids=lots, start=period.start, end=period.end)
    shares = load_shares(session=session, lot_ids=lots)
    scopes = load_scopes(session=session, mandate_ids=mandate_ids)
    return [
        compute_figures(scope=scope, period=period, facts=facts, shares=shares) for scope in scopes
    ]


def compute_yearly(
    *, session: Session, mandate_ids: Sequence[int], year: int
) -> list[ReportFigures]:
    """The yearly summary of each mandate: the sum of its period reports of `year` (so the
    fees are those actually charged), arrears at the year's end."""
    if not mandate_ids:
        return []
    whole = year_period(year)
    lots = scope_lot_ids(mandate_ids)
    facts = load_ledger_facts(session=session, lot_ids=lots, start=whole.start, end=whole.end)
    shares = load_shares(session=session, lot_ids=lots)
    summaries = []
    for scope in load_scopes(session=session, mandate_ids=mandate_ids):
        periods = periods_of_year(year, scope.cadence)
        reports = [
            compute_figures(scope=scope, period=period, facts=facts, shares=shares)
            for period in periods
        ]
        summaries.append(_add_up(reports, whole))
    return summaries


def _add_up(reports: list[ReportFigures], whole: ReportPeriod) -> ReportFigures:
    """Period reports of one mandate added lot by lot; arrears are those of the last period."""
    last = reports[-1]
    lines = []
    for index, line in enumerate(last.lines):
        same_lot = [report.lines[index] for report in reports]
        summed = sum_lines(same_lot)
        lines.append(
            replace(
                summed,
                lot_id=line.lot_id,
                lot_label=line.lot_label,
                share_bp=line.share_bp,
                arrears=line.arrears,
            )
        )
    return replace(last, period=whole, lines=tuple(lines), totals=sum_lines(lines))
