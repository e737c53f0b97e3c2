"""Porte-documents: the tenant downloads one of their documents through the authenticated route."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningExtranet, login
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser


def test_tenant_downloads_a_pdf_of_their_folder(page: Page, extranet: RunningExtranet) -> None:
    login(page, "locataire@demo.extranet.fr")
    page.locator("#sidebar").get_by_role("link", name="Porte-documents").click()
    expect(page).to_have_url(path_pattern("/locataire/documents"))
    expect(page.locator("h1")).to_have_text("Porte-documents")
    link = page.get_by_role("link", name="Télécharger").first
    expect(link).to_be_visible()
    with page.expect_download() as downloaded:
        link.click()
    path = downloaded.value.path()
    assert downloaded.value.suggested_filename.endswith(".pdf")
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_download_route_refuses_a_visitor_without_a_session(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, "locataire@demo.extranet.fr")
    page.locator("#sidebar").get_by_role("link", name="Porte-documents").click()
    href = page.get_by_role("link", name="Télécharger").first.get_attribute("href")
    anonymous = page.context.browser.new_context()
    response = anonymous.request.get(href)
    assert response.status == 404
    anonymous.close()
