"""Tableau de bord: the demo tenant and owner see their figures, each leading to its section."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningExtranet, login
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser


def test_tenant_dashboard_shows_what_is_owed_and_leads_to_it(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, "locataire@demo.extranet.fr")
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    expect(page.locator("#tile-balance .tile-value")).to_contain_text("€")
    expect(page.locator("#tile-receipt .tile-value")).not_to_have_text("—")
    expect(page.locator("#tile-requests")).to_be_visible()
    expect(page.locator("#dashboard-news")).to_contain_text("Actualités")
    page.locator("#tile-balance").click()
    expect(page).to_have_url(path_pattern("/locataire/loyers-impayes"))
    expect(page.locator("#total")).to_contain_text("€")


def test_owner_dashboard_shows_lots_collections_and_the_last_report(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, "proprietaire@demo.extranet.fr")
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    expect(page.locator("#tile-lots")).to_contain_text("occupation")
    expect(page.locator("#tile-collected .tile-value")).to_contain_text("€")
    expect(page.locator("#tile-report")).to_contain_text("publié le")
    page.locator("#tile-report").click()
    expect(page).to_have_url(path_pattern("/proprietaire/rapports"))


def test_tenant_downloads_a_copy_of_their_personal_data(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, "locataire@demo.extranet.fr")
    with page.expect_download() as downloaded:
        page.locator("#export-my-data").click()
    assert downloaded.value.suggested_filename.endswith(".zip")
    with open(downloaded.value.path(), "rb") as archive:
        assert archive.read(2) == b"PK"
