"""Dépenses propriétaires state, called directly as a (possibly malicious) browser could."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import OwnerExpense, Property
from extranet_app.pages.agency_expenses import ALL_PERIODS, AgencyExpensesState
from extranet_app.services import management_reports as reports
from tests.reports_support import MARCH, build_report_world, login_token
from tests.states_support import browser_payload, state_tree, substate

SECRETS = ("password_hash", "token_hash", "user_id", "lot_id", "_lot", "$2b$")


@pytest.fixture
def world(session):
    world = build_report_world(session)
    world.tokens = {name: login_token(session, email) for name, email in world.emails.items()}
    world.building2 = session.get(Property, world.lot2.property_id).name
    return world


def _expenses() -> list[OwnerExpense]:
    with session_scope() as session:
        return list(session.exec(select(OwnerExpense).order_by(OwnerExpense.id)).all())


async def _staff_state(world):
    root = state_tree(token=world.tokens["staff"], path="/agence/depenses")
    state = substate(root, AgencyExpensesState)
    await state.load()
    return root, state


async def _with_chosen_lot(world):
    root, state = await _staff_state(world)
    await state.search_lots({"text": world.building2})
    await state.choose_lot(state.lots[0].reference)
    return root, state


def _assert_no_secret(root, world) -> None:
    payload = browser_payload(root)
    assert world.tokens["staff"] not in payload
    for secret in SECRETS:
        assert secret not in payload


FORM = {"spent_on": "05/04/2026", "label": "Ramonage", "supplier": "", "amount": "1 234,56"}


async def test_load_lists_expenses_and_sends_no_ids(world):
    root, state = await _staff_state(world)
    assert state.loaded and state.total == 1
    assert state.rows[0].label == "Réparation fuite"
    assert state.pager_text == "1 dépense(s) — page 1 sur 1"
    assert state.today_text.count("/") == 2 and state.period_options
    _assert_no_secret(root, world)


async def test_staff_picks_a_lot_and_records_a_french_expense(world):
    root, state = await _with_chosen_lot(world)
    assert state.lot_label.endswith("– lot L2")
    await state.add(FORM)
    added = _expenses()[-1]
    assert (added.lot_id, added.amount_cents, added.label) == (world.lot2.id, 123_456, "Ramonage")
    assert state.form_version == 1 and state.total == 2 and state.amount_error == ""
    _assert_no_secret(root, world)


async def test_wrong_fields_show_french_messages_and_store_nothing(world):
    _, state = await _with_chosen_lot(world)
    await state.add(FORM | {"spent_on": "01/01/2999", "amount": "abc", "label": ""})
    assert state.spent_on_error == "La date ne peut pas être dans le futur."
    assert state.amount_error.startswith("Montant invalide")
    assert state.label_error == "Le libellé est obligatoire."
    assert state.lot_error == "" and len(_expenses()) == 1
    await state.add(FORM)
    assert state.spent_on_error == state.amount_error == state.label_error == ""


async def test_no_chosen_lot_is_a_field_error(world):
    _, state = await _staff_state(world)
    await state.add(FORM)
    assert state.lot_error == "Choisissez le lot concerné." and len(_expenses()) == 1


@pytest.mark.parametrize("reference", ["forged", {"id": 1}, None, 0])
async def test_choose_lot_only_takes_a_lot_found_by_the_search(world, reference):
    _, state = await _staff_state(world)
    await state.search_lots({"text": world.building2})
    assert await state.choose_lot(reference) is not None
    assert state.lot_reference == ""


@pytest.mark.parametrize(
    "form", ["not a form", FORM | {"amount": {"cents": 1}}, FORM | {"label": ["x"]}]
)
async def test_forged_forms_store_nothing(world, form):
    _, state = await _with_chosen_lot(world)
    assert await state.add(form) is not None
    assert len(_expenses()) == 1


async def test_filters_and_pages(world):
    with session_scope() as session:
        for day in range(1, 29):
            session.add(
                OwnerExpense(
                    lot_id=world.lot3.id,
                    spent_on=date(2026, 4, day),
                    label=f"D{day}",
                    amount_cents=100,
                )
            )
        session.commit()
    _, state = await _staff_state(world)
    assert (state.total, state.page_count, len(state.rows)) == (29, 2, 25)
    await state.next_page()
    assert state.page == 2 and len(state.rows) == 4
    await state.previous_page()
    assert state.page == 1
    await state.go_to_page({"page": 2})
    assert state.page == 1
    await state.apply_filters({"search": "", "period": "2026-03", "start": "", "end": ""})
    assert state.total == 1 and state.page_count == 1
    await state.apply_filters({"search": "", "period": "evil", "start": "2026-04-20", "end": "x"})
    assert state.period_key == ALL_PERIODS and state.end_iso == "" and state.total == 9
    await state.clear_filters()
    assert state.total == 29


async def test_delete_asks_then_deletes_and_published_rows_cannot_be_asked(world):
    _, state = await _with_chosen_lot(world)
    await state.add(FORM)
    with session_scope() as session:
        staff = world.staff
        reports.publish(session=session, user=staff, choice=MARCH)
    _, state = await _staff_state(world)
    published = next(row for row in state.rows if row.published)
    await state.ask_delete(published.reference)
    assert state.deleting == ""
    open_row = next(row for row in state.rows if not row.published)
    await state.ask_delete(open_row.reference)
    assert state.deleting == open_row.reference and "Ramonage" in state.deleting_label
    await state.confirm_delete()
    assert [expense.label for expense in _expenses()] == ["Réparation fuite"]
    assert state.total == 1 and state.deleting == ""


async def test_ask_delete_ignores_forged_references(world):
    _, state = await _staff_state(world)
    await state.ask_delete("0123456789abcdef0123456789abcdef")
    await state.confirm_delete()
    assert state.deleting == "" and len(_expenses()) == 1


@pytest.mark.parametrize("who", ["a", None])
async def test_handlers_do_nothing_for_non_staff(world, who):
    token = world.tokens[who] if who else "forged-token"
    state = substate(state_tree(token=token), AgencyExpensesState)
    await state.load()
    await state.search_lots({"text": world.building2})
    await state.apply_filters({"search": "", "period": ALL_PERIODS, "start": "", "end": ""})
    await state.add(FORM)
    assert state.rows == [] and state.lots == [] and not state.loaded
    assert len(_expenses()) == 1
