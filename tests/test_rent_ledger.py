"""Loyers impayés: open periods per tenant, and payments settling the oldest periods first."""

import threading
from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import AuditEvent, Lease, PaymentAllocation, RentCall
from extranet_app.services import rent_ledger
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.rent_ledger import PaymentRejected, parse_euros
from tests.factories import make_lease, make_lot, make_tenant, make_user

TODAY = date(2026, 3, 20)


def make_rent_call(session, *, lease: Lease, month: int, total_cents: int = 73_000) -> RentCall:
    call = RentCall(
        lease_id=lease.id,
        period_start=date(2026, month, 1),
        period_end=date(2026, month, 28),
        due_date=date(2026, month, 5),
        rent_cents=total_cents - 8_000,
        charges_cents=8_000,
        total_cents=total_cents,
    )
    session.add(call)
    session.flush()
    return call


def as_user(*, user_id: int = 0, tenant_ids=(), is_agency: bool = False) -> SessionUser:
    return SessionUser(
        user_id=user_id,
        session_id=1,
        email="x@example.test",
        display_name="X",
        is_agency=is_agency,
        is_admin=False,
        tenant_ids=tuple(tenant_ids),
        owner_ids=(),
    )


@pytest.fixture
def ledger(session):
    """A lease of two co-tenants with three monthly calls of 730 €, another tenant's lease."""
    staff = make_user(session, is_agency=True)
    first, second = make_tenant(session), make_tenant(session, last_name="Petit")
    lease = make_lease(session, lot=make_lot(session, reference="B7"), tenants=[first, second])
    lease.payment_reference = "LOY-B7"
    calls = [make_rent_call(session, lease=lease, month=month) for month in (1, 2, 3)]
    stranger = make_tenant(session, last_name="Autre")
    other_lease = make_lease(session, lot=make_lot(session, reference="Z9"), tenants=[stranger])
    make_rent_call(session, lease=other_lease, month=1, total_cents=50_000)
    session.commit()
    return {
        "staff": as_user(user_id=staff.id, is_agency=True),
        "tenant": as_user(tenant_ids=[first.id]),
        "co_tenant": as_user(tenant_ids=[second.id]),
        "stranger": as_user(tenant_ids=[stranger.id]),
        "lease": lease,
        "calls": calls,
    }


def pay(session, ledger, amount_cents: object, **changes):
    arguments = {
        "session": session,
        "user": ledger["staff"],
        "lease_id": ledger["lease"].id,
        "paid_on": date(2026, 3, 10),
        "amount_cents": amount_cents,
        "method": "virement",
        "today": TODAY,
    } | changes
    return rent_ledger.record_payment(**arguments)


def allocated(session, call: RentCall) -> int:
    rows = session.exec(
        select(PaymentAllocation.amount_cents).where(PaymentAllocation.rent_call_id == call.id)
    ).all()
    return sum(rows)


def test_tenant_sees_each_unpaid_period_with_days_late_and_how_to_pay(session, ledger):
    summary = rent_ledger.unpaid_periods(session=session, user=ledger["tenant"], today=TODAY)
    assert [p.period for p in summary.periods] == ["janvier 2026", "février 2026", "mars 2026"]
    assert [p.days_late for p in summary.periods] == [74, 43, 15]
    assert summary.periods[0].due_date == "05/01/2026"
    assert summary.total_cents == 219_000
    assert summary.total == "2\u202f190,00\xa0€"
    assert [r.reference for r in summary.references] == ["LOY-B7"]


def test_period_not_yet_due_is_listed_with_no_days_late(session, ledger):
    summary = rent_ledger.unpaid_periods(
        session=session, user=ledger["tenant"], today=date(2026, 3, 2)
    )
    assert summary.periods[-1].days_late == 0


def test_payment_settles_oldest_periods_first_and_leaves_the_remainder(session, ledger):
    recorded = pay(session, ledger, 100_000)
    assert recorded.allocated_cents == 100_000
    assert recorded.settled_periods == ["janvier 2026", "février 2026"]
    assert [allocated(session, call) for call in ledger["calls"]] == [73_000, 27_000, 0]
    summary = rent_ledger.unpaid_periods(session=session, user=ledger["tenant"], today=TODAY)
    assert [p.period for p in summary.periods] == ["février 2026", "mars 2026"]
    assert summary.periods[0].paid == "270,00\xa0€"
    assert summary.periods[0].remaining == "460,00\xa0€"


def test_surplus_stays_as_credit_and_never_overallocates_a_call(session, ledger):
    pay(session, ledger, 50_000)
    recorded = pay(session, ledger, 200_000)
    assert recorded.allocated_cents == 169_000
    assert recorded.credit_cents == 31_000
    assert "crédit non affecté" in recorded.message
    assert [allocated(session, call) for call in ledger["calls"]] == [73_000] * 3
    summary = rent_ledger.unpaid_periods(session=session, user=ledger["tenant"], today=TODAY)
    assert summary.periods == []
    # The tenants see it is not lost; the other lease's tenant sees nothing of it.
    assert (summary.credit_cents, summary.credit) == (31_000, "310,00\xa0€")
    co_tenant = rent_ledger.unpaid_periods(session=session, user=ledger["co_tenant"], today=TODAY)
    assert co_tenant.credit_cents == 31_000
    stranger = rent_ledger.unpaid_periods(session=session, user=ledger["stranger"], today=TODAY)
    assert (stranger.credit_cents, stranger.credit) == (0, "")


def test_payment_is_audited(session, ledger):
    pay(session, ledger, 1_000)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.recorded")).one()
    assert event.target_id == str(ledger["lease"].id)


def test_tenant_never_sees_another_tenants_periods(session, ledger):
    summary = rent_ledger.unpaid_periods(session=session, user=ledger["stranger"], today=TODAY)
    assert [p.lot_label.endswith("lot Z9") for p in summary.periods] == [True]
    nobody = rent_ledger.unpaid_periods(session=session, user=as_user(), today=TODAY)
    assert nobody.periods == [] and nobody.total_cents == 0


def test_co_tenant_sees_the_shared_lease(session, ledger):
    summary = rent_ledger.unpaid_periods(session=session, user=ledger["co_tenant"], today=TODAY)
    assert len(summary.periods) == 3


@pytest.mark.parametrize("who", ["tenant", "stranger"])
def test_non_staff_cannot_record_a_payment_or_search(session, ledger, who):
    with pytest.raises(AccessDenied):
        pay(session, ledger, 1_000, user=ledger[who])
    with pytest.raises(AccessDenied):
        rent_ledger.search_leases(session=session, user=ledger[who], text="B7")


def test_read_only_preview_cannot_record_a_payment(session, ledger):
    preview = replace(ledger["staff"], previewed_by_user_id=ledger["staff"].user_id)
    with pytest.raises(AccessDenied):
        pay(session, ledger, 1_000, user=preview)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_cents": 0}, "supérieur à zéro"),
        ({"amount_cents": -5}, "supérieur à zéro"),
        ({"amount_cents": "100"}, "supérieur à zéro"),
        ({"paid_on": date(2026, 3, 21)}, "futur"),
        ({"paid_on": "2026-03-01"}, "date du paiement est invalide"),
        ({"method": "bitcoin"}, "Mode de paiement"),
        ({"lease_id": 987_654}, "Bail introuvable"),
        ({"note": "x" * 301}, "300 caractères"),
    ],
)
def test_bad_payments_are_refused_in_french_and_nothing_is_stored(
    session, ledger, changes, message
):
    with pytest.raises(PaymentRejected, match=message):
        pay(session, ledger, **({"amount_cents": 1_000} | changes))
    assert session.exec(select(PaymentAllocation)).all() == []


def test_search_finds_leases_by_tenant_lot_and_reference(session, ledger):
    for text in ("petit", "B7", "loy-b7", "Résidence"):
        found = rent_ledger.search_leases(session=session, user=ledger["staff"], text=text)
        assert ledger["lease"].id in [match.lease_id for match in found], text
    assert rent_ledger.search_leases(session=session, user=ledger["staff"], text="  ") == []
    found = rent_ledger.search_leases(session=session, user=ledger["staff"], text="Petit")
    assert found[0].listing.tenants == "Mme Camille Durand, Mme Camille Petit"


def test_lease_open_periods_are_for_staff_only(session, ledger):
    periods = rent_ledger.lease_open_periods(
        session=session, user=ledger["staff"], lease_id=ledger["lease"].id, today=TODAY
    )
    assert len(periods) == 3
    with pytest.raises(AccessDenied):
        rent_ledger.lease_open_periods(
            session=session, user=ledger["tenant"], lease_id=ledger["lease"].id, today=TODAY
        )


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1 234,56", 123_456),
        ("1\u202f234,5 €", 123_450),
        ("730", 73_000),
        ("12.05", 1_205),
        ("0,01", 1),
        ("", None),
        ("12,345", None),
        ("-5", None),
        ("1e5", None),
        (12, None),
        ({"a": 1}, None),
    ],
)
def test_amount_typed_in_french_is_parsed_to_cents_or_refused(text, cents):
    assert parse_euros(text) == cents


def test_payments_recorded_at_the_same_moment_never_over_settle_a_period(session, ledger):
    start = threading.Barrier(4)

    def record() -> None:
        start.wait()
        with session_scope() as own_session:
            pay(own_session, ledger, 73_000)

    workers = [threading.Thread(target=record) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    session.expire_all()
    assert [allocated(session, call) for call in ledger["calls"]] == [73_000] * 3
