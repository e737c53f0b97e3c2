"""What imported rent calls and payments settle: the rule of the Encaissements screen.

Each payment with credit (not wholly allocated) settles the oldest open periods of its lease
first (rent_ledger.settle_oldest_first), payments in the order they were made, under the
leases' write lock, exactly as record_payment does for a payment typed by the agency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import Session, select

from extranet_app.models import Lease, Payment, PaymentAllocation, RentCall
from extranet_app.services.rent_ledger import settle_oldest_first

CHUNK_SIZE = 500


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK_SIZE):
        yield items[start : start + CHUNK_SIZE]


def lock_leases(session: Session, lease_ids: Iterable[int]) -> None:
    """Take the leases' write lock, as record_payment does: a row lock on PostgreSQL, the
    database's write lock on SQLite, so that no payment is settled twice at the same time."""
    for chunk in _chunks(sorted(lease_ids)):
        leases = Lease.__table__
        session.connection().execute(
            update(leases).where(leases.c.id.in_(chunk)).values(id=leases.c.id)
        )


def settle_leases(session: Session, lease_ids: Iterable[int]) -> int:
    """Let every payment of these leases with credit settle their oldest open periods first
    (payments in the order they were made); adds the allocations, returns how many."""
    added = 0
    for chunk in _chunks(sorted(lease_ids)):
        credits = _payments_with_credit(session, chunk)
        if not credits:
            continue
        owed = _open_calls_by_lease(session, sorted({lease_id for _, lease_id, _ in credits}))
        rows = []
        for payment_id, lease_id, credit in credits:
            calls = owed.get(lease_id, [])
            parts = settle_oldest_first(calls, credit)
            rows += [
                {"payment_id": payment_id, "rent_call_id": call_id, "amount_cents": amount}
                for call_id, amount in parts
            ]
            owed[lease_id] = _still_owed(calls, dict(parts))
        if rows:
            session.connection().execute(insert(PaymentAllocation.__table__), rows)
            added += len(rows)
    return added


def _still_owed(calls: list[tuple[int, int]], settled: dict[int, int]) -> list[tuple[int, int]]:
    remaining = [(call_id, owed - settled.get(call_id, 0)) for call_id, owed in calls]
    return [(call_id, owed) for call_id, owed in remaining if owed > 0]


def _payments_with_credit(session: Session, lease_ids: Sequence[int]) -> list[tuple[int, int, int]]:
    """(payment id, lease id, credit) of the payments not wholly allocated, oldest first."""
    payment, allocation = Payment.__table__.c, PaymentAllocation.__table__.c
    allocated = func.coalesce(func.sum(allocation.amount_cents), 0)
    statement = (
        select(payment.id, payment.lease_id, payment.amount_cents - allocated)
        .select_from(Payment.__table__)
        .outerjoin(PaymentAllocation.__table__, allocation.payment_id == payment.id)
        .where(payment.lease_id.in_(lease_ids))
        .group_by(payment.id, payment.lease_id, payment.amount_cents, payment.paid_on)
        .having(payment.amount_cents > allocated)
        .order_by(payment.lease_id, payment.paid_on, payment.id)
    )
    return [tuple(row) for row in session.connection().execute(statement)]


def _open_calls_by_lease(
    session: Session, lease_ids: Sequence[int]
) -> dict[int, list[tuple[int, int]]]:
    """Per lease, (rent call id, cents still owed) of its calls not fully paid, oldest first
    (the order of rent_ledger's open periods)."""
    call, allocation = RentCall.__table__.c, PaymentAllocation.__table__.c
    paid = func.coalesce(func.sum(allocation.amount_cents), 0)
    statement = (
        select(call.id, call.lease_id, call.total_cents - paid)
        .select_from(RentCall.__table__)
        .outerjoin(PaymentAllocation.__table__, allocation.rent_call_id == call.id)
        .where(call.lease_id.in_(lease_ids))
        .group_by(call.id, call.lease_id, call.total_cents, call.period_start)
        .having(call.total_cents > paid)
        .order_by(call.lease_id, call.period_start, call.id)
    )
    owed: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for call_id, lease_id, remaining in session.connection().execute(statement):
        owed[lease_id].append((call_id, remaining))
    return owed
