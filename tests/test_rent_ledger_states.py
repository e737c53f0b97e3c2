"""Loyers impayés and Encaissements states, called directly as a malicious browser could."""

from datetime import timedelta

import pytest
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import Lease, Payment, RentCall
from extranet_app.pages.agency_payments import AgencyPaymentsState
from extranet_app.pages.tenant_arrears import TenantArrearsState
from extranet_app.services import auth
from extranet_app.services.timekeeping import today_in_france
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.states_support import browser_payload, state_tree, substate

SECRETS = ("password_hash", "token_hash", "user_id", "tenant_ids", "lease_id", "_lease_ids", "$2b$")


def add_rent_call(session, *, lease: Lease, months_ago: int) -> RentCall:
    start = (today_in_france().replace(day=1) - timedelta(days=31 * months_ago)).replace(day=1)
    call = RentCall(
        lease_id=lease.id,
        period_start=start,
        period_end=start + timedelta(days=27),
        due_date=start.replace(day=5),
        rent_cents=65_000,
        charges_cents=8_000,
        total_cents=73_000,
    )
    session.add(call)
    session.flush()
    return call


@pytest.fixture
def people(session):
    """A tenant owing two periods, that lot's owner, a staff member; returns their tokens."""
    tenant_user = make_user(session, email="tenant@example.test")
    owner_user = make_user(session, email="owner@example.test")
    staff_user = make_user(session, email="staff@example.test", is_agency=True)
    tenant = make_tenant(session, user=tenant_user, last_name="Lemoine")
    owner = make_owner(session, user=owner_user)
    lease = make_lease(
        session, lot=make_lot(session, owner=owner, reference="B7"), tenants=[tenant]
    )
    lease.payment_reference = "LOY-B7"
    for months_ago in (2, 1):
        add_rent_call(session, lease=lease, months_ago=months_ago)
    session.commit()
    return {
        name: _login(user.email)
        for name, user in (("tenant", tenant_user), ("owner", owner_user), ("staff", staff_user))
    }


def _login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


def payments_count() -> int:
    with session_scope() as session:
        return len(session.exec(select(Payment)).all())


def assert_no_secret(root, token: str) -> None:
    payload = browser_payload(root)
    assert token not in payload
    for secret in SECRETS:
        assert secret not in payload


async def test_tenant_sees_own_unpaid_periods_and_how_to_pay(people):
    root = state_tree(token=people["tenant"], path="/locataire/loyers-impayes")
    state = substate(root, TenantArrearsState)
    await state.load()
    assert len(state.periods) == 2
    assert state.total == "1\u202f460,00\xa0€"
    assert [reference.reference for reference in state.references] == ["LOY-B7"]
    assert_no_secret(root, people["tenant"])


@pytest.mark.parametrize("token_owner", ["owner", "staff", None])
async def test_arrears_give_nothing_to_anyone_but_a_tenant(people, token_owner):
    root = state_tree(token=people[token_owner] if token_owner else "forged-token")
    state = substate(root, TenantArrearsState)
    await state.load()
    assert state.periods == [] and state.total == "" and not state.loaded


async def _staff_with_chosen_lease(people):
    root = state_tree(token=people["staff"], path="/agence/paiements")
    state = substate(root, AgencyPaymentsState)
    await state.load()
    await state.search({"text": "lemoine"})
    await state.choose(0)
    return root, state


async def test_staff_records_a_payment_that_settles_the_oldest_period(people):
    root, state = await _staff_with_chosen_lease(people)
    assert len(state.periods) == 2
    form = {"paid_on": today_in_france().isoformat(), "amount": "1 000,00", "method": "virement"}
    await state.record(form | {"note": "Virement reçu"})
    assert payments_count() == 1
    assert [period.remaining for period in state.periods] == ["460,00\xa0€"]
    assert_no_secret(root, people["staff"])


async def test_browser_sees_positions_and_labels_never_lease_ids(people):
    root, state = await _staff_with_chosen_lease(people)
    assert state.chosen == 0
    assert state.leases[0].lot_label.endswith("lot B7")
    assert_no_secret(root, people["staff"])


@pytest.mark.parametrize("position", [{"id": 1}, "0", True, 1, -1, None, [0]])
async def test_choose_refuses_forged_positions(people, position):
    root = state_tree(token=people["staff"])
    state = substate(root, AgencyPaymentsState)
    await state.search({"text": "lemoine"})
    assert await state.choose(position) is not None
    assert state.chosen == -1 and state.periods == []


@pytest.mark.parametrize(
    "form",
    [
        "not a form",
        {"paid_on": "2026-01-01", "amount": {"cents": 100}, "method": "virement"},
        {"paid_on": "2026-01-01", "amount": "-10", "method": "virement"},
        {"paid_on": "2999-01-01", "amount": "10", "method": "virement"},
        {"paid_on": ["2026-01-01"], "amount": "10", "method": "virement"},
        {"paid_on": "2026-01-01", "amount": "10", "method": ["virement"]},
        {"paid_on": "2026-01-01", "amount": "10", "method": "virement", "note": {"x": 1}},
    ],
)
async def test_record_refuses_forged_forms_and_stores_nothing(people, form):
    _, state = await _staff_with_chosen_lease(people)
    assert await state.record(form) is not None
    assert payments_count() == 0


async def test_record_without_a_chosen_lease_stores_nothing(people):
    state = substate(state_tree(token=people["staff"]), AgencyPaymentsState)
    await state.record({"paid_on": "2026-01-01", "amount": "10", "method": "virement"})
    assert payments_count() == 0


@pytest.mark.parametrize("token_owner", ["tenant", "owner", None])
async def test_agency_handlers_do_nothing_for_non_staff(people, token_owner):
    state = substate(
        state_tree(token=people[token_owner] if token_owner else "forged"), AgencyPaymentsState
    )
    await state.search({"text": "lemoine"})
    await state.choose(0)
    await state.record({"paid_on": "2026-01-01", "amount": "10", "method": "virement"})
    assert state.leases == [] and state.periods == []
    assert payments_count() == 0
