"""Loyers impayés: the demo tenant finds what they owe and how to pay it from the navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningExtranet, login
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser


def test_tenant_sees_unpaid_rent_and_how_to_pay(page: Page, extranet: RunningExtranet) -> None:
    login(page, "locataire@demo.extranet.fr")
    page.locator("#sidebar").get_by_role("link", name="Loyers impayés").click()
    expect(page).to_have_url(path_pattern("/locataire/loyers-impayes"))
    expect(page.locator("h1")).to_have_text("Loyers impayés")
    expect(page.locator("#total")).to_contain_text("€")
    expect(page.locator("#iban")).to_contain_text("FR76")
    expect(page.locator("#all-paid")).to_have_count(0)
