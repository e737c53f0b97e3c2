"""24 months of rent calls, the payments received, and how they settle the calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from extranet_app.demo.world import (
    DemoWorld,
    LeasePlan,
    PaymentHabit,
    add_months,
    month_end,
    month_start,
    month_starts,
)
from extranet_app.models import (
    LeaseKind,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    RentCall,
    RentCallLine,
)
from extranet_app.models.leases import RentCallKind

REVISION_PER_MILLE = 1_035  # +3.5 % a year, close to the IRL of recent years
CHARGES_RECONCILIATION_MONTH = 6  # the yearly régularisation des charges, called in June


@dataclass(frozen=True)
class PlannedPayment:
    paid_on: date
    amount_cents: int


def create_ledger(world: DemoWorld) -> None:
    """Rent calls for every lease month of the window, then payments settling them."""
    lines: list[tuple[RentCall, RentCallLine]] = []
    reconciled = _leases_with_charges_reconciliation(world)
    for plan in world.lease_plans:
        plan.rent_calls = _rent_calls(world, plan)
        if id(plan) in reconciled:
            lines += _reconciliation_lines(world, plan)
        plan.payments = _payments(world, plan)
    lines += _demo_tenant_invoices(world)
    world.session.add_all(call for plan in world.lease_plans for call in plan.rent_calls)
    world.session.add_all(payment for plan in world.lease_plans for payment in plan.payments)
    world.session.flush()
    for call, line in lines:
        line.rent_call_id = call.id
    world.session.add_all(line for _, line in lines)
    world.session.add_all(
        allocation for plan in world.lease_plans for allocation in allocate_oldest_first(plan)
    )


def _leases_with_charges_reconciliation(world: DemoWorld) -> set[int]:
    unfurnished = [p for p in world.lease_plans if p.lease.kind == LeaseKind.UNFURNISHED]
    chosen = world.rng.sample(unfurnished, len(unfurnished) // 5)
    return {id(plan) for plan in [*chosen, world.special_leases["tenant_flat"]]}


def _rent_calls(world: DemoWorld, plan: LeasePlan) -> list[RentCall]:
    lease = plan.lease
    first = max(lease.start_date, world.window_start)
    last = min(lease.end_date or world.today, world.today)
    reference = month_start(lease.end_date or world.today)
    calls = []
    for period in month_starts(first, last):
        rent = rent_before_revisions(lease.rent_cents, lease.start_date, period, reference)
        calls.append(
            RentCall(
                lease_id=lease.id,
                period_start=period,
                period_end=month_end(period),
                due_date=period.replace(day=lease.due_day),
                rent_cents=rent,
                charges_cents=lease.charges_cents,
                total_cents=rent + lease.charges_cents,
                # Issued (avis d'échéance) about ten days before the period starts.
                created_at=world.at(period - timedelta(days=10), hour=6),
            )
        )
    return calls


def rent_before_revisions(rent_cents: int, start: date, period: date, reference: date) -> int:
    """The rent of `period`, when `rent_cents` is the rent at `reference` after yearly revisions."""
    revisions = sum(
        1
        for year in range(start.year + 1, reference.year + 1)
        if period < date(year, start.month, 1) <= reference
    )
    for _ in range(revisions):
        rent_cents = (rent_cents * 2_000 + REVISION_PER_MILLE) // (2 * REVISION_PER_MILLE)
    return rent_cents


def _reconciliation_lines(world: DemoWorld, plan: LeasePlan) -> list[tuple[RentCall, RentCallLine]]:
    """A yearly charges reconciliation, added to June's call once the lease is a year old."""
    lines = []
    for call in plan.rent_calls:
        first_anniversary = plan.lease.start_date.replace(year=plan.lease.start_date.year + 1)
        if call.period_start.month != CHARGES_RECONCILIATION_MONTH:
            continue
        if call.period_start < first_anniversary:
            continue
        amount = world.rng.randint(20, 180) * 100
        label = f"Régularisation des charges {call.period_start.year - 1}"
        lines.append((call, RentCallLine(rent_call_id=0, label=label, amount_cents=amount)))
        call.total_cents += amount
    return lines


def _demo_tenant_invoices(world: DemoWorld) -> list[tuple[RentCall, RentCallLine]]:
    """Invoices besides the rent for the demo tenant (Facturations): last year's charges
    reconciliation on the flat, still to pay, and a repair on the parking space, paid.

    Added once the payments are planned, and without the random source, so that nothing else
    of the demo changes."""
    flat, parking = world.special_leases["tenant_flat"], world.special_leases["tenant_parking"]
    reconciliation = _invoice(
        world,
        flat,
        period=add_months(world.today, -1),
        kind=RentCallKind.CHARGES_RECONCILIATION,
        label=f"Régularisation des charges {world.today.year - 1}",
    )
    reconciliation.charges_cents = reconciliation.total_cents = 14_250
    repair = _invoice(
        world,
        parking,
        period=add_months(world.today, -4),
        kind=RentCallKind.REPAIRS,
        label="Remplacement du bip du portail",
    )
    repair.total_cents = 3_500
    # Debited with the rent of its month; its id comes after that rent's, so it settles second.
    parking.payments.append(
        Payment(
            lease_id=parking.lease.id,
            paid_on=repair.due_date,
            amount_cents=repair.total_cents,
            method=parking.method,
            note="Prélèvement SEPA",
            created_at=world.at(repair.due_date, hour=14),
        )
    )
    line = RentCallLine(rent_call_id=0, label=repair.label, amount_cents=repair.total_cents)
    return [(repair, line)]


def _invoice(world: DemoWorld, plan: LeasePlan, *, period: date, kind: str, label: str):
    """A call other than the rent, in the month of `period`, placed after that month's rent."""
    call = RentCall(
        lease_id=plan.lease.id,
        kind=kind,
        label=label,
        period_start=period,
        period_end=month_end(period),
        due_date=period.replace(day=plan.lease.due_day),
        rent_cents=0,
        charges_cents=0,
        total_cents=0,
        created_at=world.at(period - timedelta(days=10), hour=6),  # sent with that month's rent
    )
    plan.rent_calls.append(call)
    plan.rent_calls.sort(key=lambda c: (c.period_start, c.kind != RentCallKind.RENT))
    return call


def _payments(world: DemoWorld, plan: LeasePlan) -> list[Payment]:
    planned = {
        PaymentHabit.ON_TIME: _on_time,
        PaymentHabit.SOMETIMES_LATE: _sometimes_late,
        PaymentHabit.IN_ARREARS: _in_arrears,
    }[plan.habit](world, plan)
    received = sorted(
        (payment for payment in planned if payment.paid_on <= world.today),
        key=lambda payment: payment.paid_on,
    )
    return [_payment(world, plan, payment) for payment in received]


def _usual_payment_day(world: DemoWorld, plan: LeasePlan, call: RentCall) -> date:
    if plan.method == PaymentMethod.DIRECT_DEBIT:
        return call.due_date
    if plan.method == PaymentMethod.CHEQUE:
        return call.due_date + timedelta(days=world.rng.randint(1, 8))
    return call.due_date + timedelta(days=world.rng.randint(-3, 4))


def _on_time(world: DemoWorld, plan: LeasePlan) -> list[PlannedPayment]:
    return [
        PlannedPayment(_usual_payment_day(world, plan, call), call.total_cents)
        for call in plan.rent_calls
    ]


def _sometimes_late(world: DemoWorld, plan: LeasePlan) -> list[PlannedPayment]:
    """Now and then half on time and the rest two or three weeks later."""
    calls = plan.rent_calls
    split = set(world.rng.sample(range(max(len(calls) - 2, 0)), min(3, max(len(calls) - 2, 0))))
    planned = []
    for index, call in enumerate(calls):
        day = _usual_payment_day(world, plan, call)
        if index not in split:
            planned.append(PlannedPayment(day, call.total_cents))
            continue
        first_part = call.total_cents // 2
        later = day + timedelta(days=world.rng.randint(12, 25))
        planned += [
            PlannedPayment(day, first_part),
            PlannedPayment(later, call.total_cents - first_part),
        ]
    return planned


def _in_arrears(world: DemoWorld, plan: LeasePlan) -> list[PlannedPayment]:
    """On time until the last months: then one partial payment at most, and nothing since."""
    current_month = month_start(world.today)
    past = [call for call in plan.rent_calls if call.period_start < current_month]
    first_unpaid = max(len(past) - plan.months_in_arrears, 0)
    planned = _on_time(world, plan)[:first_unpaid]
    call = plan.rent_calls[first_unpaid]
    part = call.total_cents * world.rng.randint(30, 60) // 100 // 1_000 * 1_000  # whole tens
    if part > 0 and (plan.months_in_arrears == 2 or world.rng.random() < 0.5):
        planned.append(PlannedPayment(_usual_payment_day(world, plan, call), part))
    return planned


def _payment(world: DemoWorld, plan: LeasePlan, planned: PlannedPayment) -> Payment:
    notes = {
        PaymentMethod.DIRECT_DEBIT: "Prélèvement SEPA",
        PaymentMethod.TRANSFER: f"Virement réf. {plan.lease.payment_reference}",
        PaymentMethod.CHEQUE: f"Chèque n° {world.rng.randint(1_000_000, 9_999_999)}",
    }
    is_cheque = plan.method == PaymentMethod.CHEQUE
    return Payment(
        lease_id=plan.lease.id,
        paid_on=planned.paid_on,
        amount_cents=planned.amount_cents,
        method=plan.method,
        note=notes.get(plan.method, ""),
        # Cheques are entered by hand at the agency; transfers and debits come from the bank.
        recorded_by_id=world.staff[1].id if is_cheque else None,
        created_at=world.at(planned.paid_on, hour=14),
    )


def allocate_oldest_first(plan: LeasePlan) -> list[PaymentAllocation]:
    """Split each payment, in date order, over the oldest rent calls still open."""
    balances = [call.total_cents for call in plan.rent_calls]
    allocations: list[PaymentAllocation] = []
    index = 0
    for payment in sorted(plan.payments, key=lambda p: (p.paid_on, p.id)):
        remaining = payment.amount_cents
        while remaining > 0:
            if index >= len(balances):
                raise ValueError(f"Paiement supérieur au dû sur le bail {plan.lease.external_ref}")
            amount = min(remaining, balances[index])
            if amount > 0:
                call_id = plan.rent_calls[index].id
                allocations.append(
                    PaymentAllocation(
                        payment_id=payment.id, rent_call_id=call_id, amount_cents=amount
                    )
                )
            balances[index] -= amount
            remaining -= amount
            if balances[index] == 0:
                index += 1
    return allocations
