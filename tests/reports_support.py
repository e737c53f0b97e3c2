"""A small agency for the Rapport de gestion tests: two owners sharing a lot, one month of rent.

Owner A (Paul Martin) owns lot L1 alone and half of lot L2; owner B (Jeanne Bernard) owns the
other half of L2 and the vacant lot L3. Each has their own mandate (monthly; 7 % and 8 % fees,
VAT 20 %). In March 2026:
- L1: rent 650,00 + charges 80,00 called and paid on 3 March; a 123,45 invoice paid for it.
- L2: rent 500,01 + charges 50,00 (odd cents, to exercise the co-owners' split); February's call
  paid late on 10 March, March's call paid 300,00 on 20 March (250,01 still owed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from extranet_app.models import (
    Lease,
    Lot,
    ManagementMandate,
    MandateLot,
    Owner,
    OwnerExpense,
    Ownership,
    Payment,
    PaymentAllocation,
    RentCall,
    ReportingPeriod,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.services import auth
from extranet_app.services.auth import SessionUser
from extranet_app.services.report_periods import month_period
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user

MARCH = month_period(2026, 3)


@dataclass
class ReportWorld:
    """Ids and logins of the test agency (users as SessionUser, for the services)."""

    staff: SessionUser
    owner_a: SessionUser
    owner_b: SessionUser
    owner_a_id: int
    owner_b_id: int
    mandate_a_id: int
    mandate_b_id: int
    lot1: Lot
    lot2: Lot
    lot3: Lot
    lease1: Lease
    lease2: Lease
    emails: dict[str, str]


def session_user(session: Session, user: User) -> SessionUser:
    """The SessionUser a login of `user` would give (profiles read from the database)."""
    return auth._session_user(session=session, user=user, session_id=0)


def login_token(session: Session, email: str) -> str:
    """A real login session's token for `email` (password PASSWORD)."""
    opened = auth.login(session=session, email=email, password=PASSWORD)
    assert opened is not None
    return opened.token


def add_call(session: Session, lease: Lease, month: date, rent: int, charges: int) -> RentCall:
    call = RentCall(
        lease_id=lease.id,
        period_start=month,
        period_end=month_period(month.year, month.month).end,
        due_date=month.replace(day=5),
        rent_cents=rent,
        charges_cents=charges,
        total_cents=rent + charges,
    )
    session.add(call)
    session.flush()
    return call


def pay(session: Session, call: RentCall, amount: int, paid_on: date) -> Payment:
    payment = Payment(lease_id=call.lease_id, paid_on=paid_on, amount_cents=amount)
    session.add(payment)
    session.flush()
    session.add(PaymentAllocation(payment_id=payment.id, rent_call_id=call.id, amount_cents=amount))
    session.flush()
    return payment


def _mandate(session: Session, owner_id: int, fee_bp: int, lots: list[Lot]) -> ManagementMandate:
    mandate = ManagementMandate(
        owner_id=owner_id,
        number=f"MG-TEST-{owner_id}",
        start_date=date(2020, 1, 1),
        fee_rate_bp=fee_bp,
        vat_rate_bp=2_000,
        reporting_period=ReportingPeriod.MONTHLY,
    )
    session.add(mandate)
    session.flush()
    session.add_all(MandateLot(mandate_id=mandate.id, lot_id=lot.id) for lot in lots)
    return mandate


def build_report_world(session: Session) -> ReportWorld:
    """Create the agency described in the module docstring and commit it."""
    staff_user = make_user(session, email="gestion@example.test", is_agency=True)
    user_a = make_user(session, email="paul@example.test", display_name="Paul Martin")
    user_b = make_user(session, email="jeanne@example.test", display_name="Jeanne Bernard")
    for user in (user_a, user_b):
        user.activated_at = utcnow()
    user_b.email_notifications = False
    owner_a = make_owner(session, user=user_a, last_name="Martin")
    owner_b = make_owner(session, user=user_b, last_name="Bernard")
    lot1 = make_lot(session, owner=owner_a, reference="L1")
    lot2 = make_lot(session, reference="L2")
    lot3 = make_lot(session, owner=owner_b, reference="L3")
    session.add_all(
        [
            Ownership(owner_id=owner_a.id, lot_id=lot2.id, share_bp=5_000),
            Ownership(owner_id=owner_b.id, lot_id=lot2.id, share_bp=5_000),
        ]
    )
    mandate_a = _mandate(session, owner_a.id, 700, [lot1, lot2])
    mandate_b = _mandate(session, owner_b.id, 800, [lot2, lot3])
    tenant1 = make_tenant(session, last_name="Lemoine")
    tenant2 = make_tenant(session, last_name="Perrin")
    lease1 = make_lease(
        session, lot=lot1, tenants=[tenant1], rent_cents=65_000, charges_cents=8_000
    )
    lease2 = make_lease(
        session, lot=lot2, tenants=[tenant2], rent_cents=50_001, charges_cents=5_000
    )
    _march_ledger(session, lot1, lease1, lease2)
    session.commit()
    return ReportWorld(
        staff=session_user(session, staff_user),
        owner_a=session_user(session, user_a),
        owner_b=session_user(session, user_b),
        owner_a_id=owner_a.id,
        owner_b_id=owner_b.id,
        mandate_a_id=mandate_a.id,
        mandate_b_id=mandate_b.id,
        lot1=lot1,
        lot2=lot2,
        lot3=lot3,
        lease1=lease1,
        lease2=lease2,
        emails={"staff": staff_user.email, "a": user_a.email, "b": user_b.email},
    )


def _march_ledger(session: Session, lot1: Lot, lease1: Lease, lease2: Lease) -> None:
    pay(
        session,
        add_call(session, lease1, date(2026, 3, 1), 65_000, 8_000),
        73_000,
        date(2026, 3, 3),
    )
    february = add_call(session, lease2, date(2026, 2, 1), 50_001, 5_000)
    pay(session, february, 55_001, date(2026, 3, 10))
    march = add_call(session, lease2, date(2026, 3, 1), 50_001, 5_000)
    pay(session, march, 30_000, date(2026, 3, 20))
    session.add(
        OwnerExpense(
            lot_id=lot1.id,
            spent_on=date(2026, 3, 15),
            label="Réparation fuite",
            amount_cents=12_345,
        )
    )
    session.flush()


@contextmanager
def counted_queries(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_let_lots(session: Session, owner_id: int, count: int) -> None:
    """`count` more lots for the owner, each let with a call for March 2026, half of them paid."""
    owner = session.get(Owner, owner_id)
    for number in range(count):
        lot = make_lot(session, owner=owner, reference=f"X{number}")
        lease = make_lease(session, lot=lot, tenants=[make_tenant(session, last_name=f"T{number}")])
        call = add_call(session, lease, date(2026, 3, 1), 65_000, 8_000)
        if number % 2:
            pay(session, call, 73_000, date(2026, 3, 4))
    session.commit()
