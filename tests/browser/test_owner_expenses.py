"""Dépenses propriétaires in a real browser, on a phone: pick a lot, record an expense in French
figures, see a French refusal, then delete it (the demo data stay as they were)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningExtranet, login, open_live

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LABEL = "Remplacement du chauffe-eau (test navigateur)"


@pytest.mark.parametrize("viewport", [PHONE])
def test_staff_record_and_delete_an_owner_expense_on_a_phone(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, "agence@demo.extranet.fr")
    open_live(page, "/agence/depenses")
    expect(page.locator("h1")).to_have_text("Dépenses propriétaires")

    page.locator("#expense-lot-search").fill("Tilleuls lot A12")
    page.locator("#expense-lot-search").press("Enter")
    page.locator(".expense-lot-choice").first.get_by_role("button", name="Choisir").click()
    expect(page.get_by_text("Lot choisi")).to_be_visible()

    page.locator("#expense-label").fill(LABEL)
    page.locator("#expense-supplier").fill("Plomberie Martin")
    page.locator("#expense-amount").fill("douze euros")
    page.locator("#add-expense").click()
    expect(page.locator("#expense-form")).to_contain_text("Montant invalide")

    page.locator("#expense-label").fill(LABEL)
    page.locator("#expense-amount").fill("1 234,56")
    page.locator("#add-expense").click()
    card = page.locator(".expense-card", has_text=LABEL)
    expect(card).to_contain_text("1\u202f234,56\xa0€")
    expect(card).to_contain_text("A12")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    card.get_by_role("button", name=f"Supprimer la dépense {LABEL}").click()
    page.locator("#confirm-delete-expense").click()
    expect(page.locator(".expense-card", has_text=LABEL)).to_have_count(0)
