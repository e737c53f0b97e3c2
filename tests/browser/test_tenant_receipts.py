"""Quittances de loyers: the demo tenant downloads a quittance PDF from the navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningExtranet, login
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser


def test_tenant_downloads_a_quittance_pdf(page: Page, extranet: RunningExtranet) -> None:
    login(page, "locataire@demo.extranet.fr")
    page.locator("#sidebar").get_by_role("link", name="Quittances de loyers").click()
    expect(page).to_have_url(path_pattern("/locataire/quittances"))
    expect(page.locator("h1")).to_have_text("Quittances de loyers")
    table = page.locator("#receipts-table")
    expect(table.get_by_text("Partiellement payée").first).to_be_visible()
    button = table.get_by_role("button", name="Quittance").first
    expect(button).to_be_visible()
    with page.expect_download() as downloaded:
        button.click()
    download = downloaded.value
    assert "/api/documents/" in download.url and "espace=locataire" in download.url
    # The same address, asked again with this session, is the stored PDF itself.
    response = page.context.request.get(download.url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert download.suggested_filename.startswith("quittance-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # The page stayed connected: its next section still loads its data.
    page.locator("#sidebar").get_by_role("link", name="Facturations").click()
    expect(page.locator("#invoices-table")).to_contain_text("Régularisation des charges 2025")


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_tenant_reads_invoices_as_cards_on_a_phone(page: Page, extranet: RunningExtranet) -> None:
    login(page, "locataire@demo.extranet.fr")
    page.locator("#menu-button").click()
    page.locator("#phone-menu").get_by_role("link", name="Facturations").click()
    expect(page).to_have_url(path_pattern("/locataire/facturations"))
    expect(page.locator("h1")).to_have_text("Facturations")
    expect(page.locator("#invoices-table")).to_be_hidden()
    cards = page.locator(".invoice-card")
    expect(cards.get_by_text("Régularisation des charges 2025")).to_be_visible()
    expect(cards.get_by_text("Impayée").first).to_be_visible()
