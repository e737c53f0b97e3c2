"""Dépenses propriétaires: recording in French, the list, published periods, who may do what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from extranet_app.models import AuditEvent, OwnerExpense, Property
from extranet_app.services import management_reports as reports
from extranet_app.services import owner_expenses as expenses
from extranet_app.services.errors import AccessDenied
from extranet_app.services.owner_expenses import ExpenseQuery, ExpenseRejected
from extranet_app.services.security import opaque_reference
from tests.reports_support import MARCH, build_report_world

TODAY = date(2026, 11, 28)
FORGED = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def world(session):
    return build_report_world(session)


def _building(session, lot) -> str:
    return session.get(Property, lot.property_id).name


def _lot_reference(session, world, lot) -> str:
    (choice,) = [
        choice
        for choice in expenses.lot_choices(
            session=session, actor=world.staff, search=_building(session, lot)
        )
        if choice.label.endswith(f"lot {lot.reference}")
    ]
    return choice.reference


def _add(session, world, lot, **fields) -> str:
    values = {
        "spent_on_text": "05/04/2026",
        "label": "Remplacement chaudière",
        "supplier": "Chauffage Lyonnais",
        "amount_text": "1 234,56",
    } | fields
    return expenses.add_expense(
        session=session,
        actor=world.staff,
        lot_reference=_lot_reference(session, world, lot),
        today=TODAY,
        **values,
    )


def _events(session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _list(session, world, **filters):
    return expenses.list_expenses(session=session, actor=world.staff, query=ExpenseQuery(**filters))


def test_add_reads_a_french_date_and_amount(session, world):
    message = _add(session, world, world.lot2)
    expense = session.exec(select(OwnerExpense).where(OwnerExpense.lot_id == world.lot2.id)).one()
    assert (expense.spent_on, expense.amount_cents) == (date(2026, 4, 5), 123_456)
    assert (expense.label, expense.supplier) == ("Remplacement chaudière", "Chauffage Lyonnais")
    assert message == "Dépense de 1\u202f234,56\xa0€ enregistrée."
    assert len(_events(session, "owner_expense.recorded")) == 1


def test_lot_choices_give_labels_owners_and_opaque_references(session, world):
    choices = expenses.lot_choices(
        session=session, actor=world.staff, search=_building(session, world.lot2)
    )
    (choice,) = choices
    assert choice.label == f"{_building(session, world.lot2)} – lot L2"
    assert "Martin" in choice.owners and "Bernard" in choice.owners
    assert str(world.lot2.id) != choice.reference and len(choice.reference) == 32
    assert expenses.lot_choices(session=session, actor=world.staff, search="  ") == []
    typed_label = expenses.lot_choices(session=session, actor=world.staff, search=choice.label)
    assert [found.reference for found in typed_label] == [choice.reference]
    assert len(expenses.lot_choices(session=session, actor=world.staff, search="lot L")) == 3


def test_each_wrong_field_gets_its_own_french_message(session, world):
    with pytest.raises(ExpenseRejected) as caught:
        expenses.add_expense(
            session=session,
            actor=world.staff,
            lot_reference="",
            spent_on_text="31/02/2026",
            label="  ",
            supplier="x" * 201,
            amount_text="douze euros",
            today=TODAY,
        )
    errors = caught.value.errors
    assert errors == {
        "lot": "Choisissez le lot concerné.",
        "spent_on": "Date invalide : saisissez-la sous la forme jj/mm/aaaa.",
        "label": "Le libellé est obligatoire.",
        "supplier": "Le fournisseur : 200 caractères au plus.",
        "amount": "Montant invalide : saisissez par exemple 1 234,56.",
    }
    assert (
        session.exec(select(OwnerExpense).where(OwnerExpense.lot_id != world.lot1.id)).all() == []
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "Le montant doit être supérieur à zéro."), ("2 000 000,00", "Montant trop élevé.")],
)
def test_amount_must_be_positive_and_plausible(session, world, amount, message):
    with pytest.raises(ExpenseRejected) as caught:
        _add(session, world, world.lot2, amount_text=amount)
    assert caught.value.errors == {"amount": message}


def test_a_future_date_is_refused(session, world):
    with pytest.raises(ExpenseRejected) as caught:
        _add(session, world, world.lot2, spent_on_text="29/11/2026")
    assert caught.value.errors == {"spent_on": "La date ne peut pas être dans le futur."}
    _add(session, world, world.lot2, spent_on_text="28/11/2026")  # today is fine


def test_list_is_newest_first_with_french_words(session, world):
    _add(session, world, world.lot2)
    page = _list(session, world)
    assert page.total == 2 and page.page == 1 and page.page_count == 1
    newest, oldest = page.rows
    assert (newest.spent_on, newest.amount) == ("05/04/2026", "1\u202f234,56\xa0€")
    assert newest.lot_label.endswith("– lot L2") and "Bernard" in newest.owners
    assert (oldest.label, oldest.spent_on) == ("Réparation fuite", "15/03/2026")
    assert not newest.published and newest.published_notice == ""


def test_list_filters_by_building_period_and_dates(session, world):
    _add(session, world, world.lot2)
    _add(session, world, world.lot3, spent_on_text="20/03/2026", amount_text="10")
    assert _list(session, world, search=_building(session, world.lot3)).total == 1
    assert _list(session, world, search="L2").total == 1
    march = _list(session, world, period_key="2026-03")
    assert {row.label for row in march.rows} == {"Réparation fuite", "Remplacement chaudière"}
    assert march.total == 2
    assert _list(session, world, period_key="2026-T2").total == 1
    assert _list(session, world, start=date(2026, 3, 16), end=date(2026, 3, 31)).total == 1
    assert _list(session, world, period_key="nonsense").total == 3


def test_list_pages_by_25_in_the_database(session, world):
    for day in range(1, 31):
        session.add(
            OwnerExpense(
                lot_id=world.lot3.id, spent_on=date(2026, 4, day), label=f"D{day}", amount_cents=100
            )
        )
    session.commit()
    first = _list(session, world)
    assert (first.total, first.page_count, len(first.rows)) == (31, 2, 25)
    assert first.rows[0].label == "D30"
    second = _list(session, world, page=2)
    assert len(second.rows) == 6 and second.rows[-1].label == "Réparation fuite"
    assert _list(session, world, page=99).page == 2
    assert _list(session, world, page="2").page == 1


def test_expense_of_a_published_period_is_flagged_and_kept(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    _add(session, world, world.lot2)
    rows = {row.label: row for row in _list(session, world).rows}
    published = rows["Réparation fuite"]
    assert published.published
    assert published.published_notice == expenses.PUBLISHED_NOTICE
    assert not rows["Remplacement chaudière"].published
    with pytest.raises(ExpenseRejected) as caught:
        expenses.delete_expense(session=session, actor=world.staff, reference=published.reference)
    assert "rapport de gestion publié" in caught.value.errors["form"]
    assert session.exec(select(OwnerExpense).where(OwnerExpense.label == "Réparation fuite")).one()


def test_adding_into_a_published_period_says_a_correction_is_needed(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    message = _add(session, world, world.lot3, spent_on_text="20/03/2026")
    assert message.endswith(f"{expenses.PUBLISHED_NOTICE}.")


def test_an_unpublished_expense_can_be_deleted_and_is_journaled(session, world):
    _add(session, world, world.lot2)
    (row,) = [row for row in _list(session, world).rows if row.label == "Remplacement chaudière"]
    message = expenses.delete_expense(session=session, actor=world.staff, reference=row.reference)
    assert message == "Dépense de 1\u202f234,56\xa0€ supprimée."
    assert _list(session, world).total == 1
    (event,) = _events(session, "owner_expense.deleted")
    assert event.allowed and event.target_id == str(world.lot2.id)
    with pytest.raises(ExpenseRejected):
        expenses.delete_expense(session=session, actor=world.staff, reference=row.reference)


def test_owners_are_refused_and_journaled(session, world):
    row = _list(session, world).rows[0]
    calls = [
        lambda: expenses.list_expenses(session=session, actor=world.owner_a, query=ExpenseQuery()),
        lambda: expenses.lot_choices(session=session, actor=world.owner_a, search="L1"),
        lambda: expenses.delete_expense(
            session=session, actor=world.owner_a, reference=row.reference
        ),
        lambda: expenses.add_expense(
            session=session,
            actor=world.owner_a,
            lot_reference=opaque_reference(expenses.LOT_KIND, world.lot1.id),
            spent_on_text="01/04/2026",
            label="x",
            supplier="",
            amount_text="1",
            today=TODAY,
        ),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    refused = _events(session, "access.staff_only")
    assert len(refused) == 4 and not any(event.allowed for event in refused)
    assert _list(session, world).total == 1


@pytest.mark.parametrize("reference", [FORGED, "1", {"id": 1}, None])
def test_a_forged_expense_reference_is_refused_and_journaled(session, world, reference):
    with pytest.raises(AccessDenied):
        expenses.delete_expense(session=session, actor=world.staff, reference=reference)
    (event,) = _events(session, "owner_expense.deleted")
    assert not event.allowed
    assert _list(session, world).total == 1


def test_a_lot_reference_of_another_kind_is_forged(session, world):
    with pytest.raises(AccessDenied):
        expenses.add_expense(
            session=session,
            actor=world.staff,
            lot_reference=opaque_reference(expenses.EXPENSE_KIND, world.lot2.id),
            spent_on_text="01/04/2026",
            label="x",
            supplier="",
            amount_text="1",
            today=TODAY,
        )
    (event,) = _events(session, "owner_expense.recorded")
    assert not event.allowed
