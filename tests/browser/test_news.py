"""Actualités: the agency publishes news to owners; the owner reads it, the tenant never sees it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningExtranet, login, open_live
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser

AGENCY = "agence@demo.extranet.fr"
OWNER = "proprietaire@demo.extranet.fr"
TENANT = "locataire@demo.extranet.fr"
TITLE = "Réunion d'information des propriétaires"
BODY = "Rendez-vous **jeudi à 18 h** à l'agence.\n\n<script>window.pwned = 1</script>"


def _picture(folder: Path) -> Path:
    path = folder / "reunion.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "teal").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _publish_to_owners(page: Page, picture: Path) -> None:
    login(page, AGENCY)
    page.locator("#sidebar").get_by_role("link", name="Actualités").click()
    expect(page).to_have_url(path_pattern("/agence/actualites"))
    expect(page.locator("h1")).to_have_text("Actualités")
    page.locator("#news-new").click()
    page.locator("#news-title").fill(TITLE)
    page.locator("#news-body").fill(BODY)
    page.locator("#news-audience").click()
    page.get_by_role("option", name="Propriétaires", exact=True).click()
    page.locator("#news-image input[type=file]").set_input_files(picture)
    expect(page.locator("#news-form")).to_contain_text("reunion.png")
    # The preview comes back from the server: the text has arrived, and is shown inert.
    preview = page.locator("#news-preview")
    expect(preview.locator("strong")).to_have_text("jeudi à 18 h")
    expect(preview).to_contain_text("<script>window.pwned = 1</script>")
    page.locator("#news-save").click()
    expect(page.locator("#news-form")).to_have_count(0)
    row = page.locator(".news-row").filter(has_text=TITLE)
    expect(row).to_contain_text("Propriétaires")
    expect(row.locator(".status")).to_have_text("Publiée")


def _new_page(browser: Browser, extranet: RunningExtranet) -> Page:
    context = browser.new_context(base_url=extranet.frontend_url, locale="fr-FR")
    return context.new_page()


def test_agency_publishes_news_the_owner_reads_and_the_tenant_never_sees(
    page: Page, browser: Browser, extranet: RunningExtranet, tmp_path: Path
) -> None:
    _publish_to_owners(page, _picture(tmp_path))

    owner = _new_page(browser, extranet)
    try:
        login(owner, OWNER)
        owner.locator("#sidebar").get_by_role("link", name="Actualités").click()
        expect(owner).to_have_url(path_pattern("/proprietaire/actualites"))
        card = owner.locator(".news-card").filter(has_text=TITLE)
        expect(card.locator(".unread-marker")).to_be_visible()
        card.get_by_role("button", name="Lire " + TITLE).click()
        reader = owner.locator("#news-reader")
        expect(reader.locator("#news-reader-title")).to_have_text(TITLE)
        expect(reader.locator("#news-reader-body strong")).to_have_text("jeudi à 18 h")
        expect(reader.locator("#news-reader-body")).to_contain_text("<script>")
        # The picture comes through the authenticated route, with the owner's cookie.
        image = reader.locator("#news-reader-image")
        expect(image).to_have_attribute("src", re.compile(r"/api/news/[0-9a-f]{32}/image"))
        owner.wait_for_function("document.querySelector('#news-reader-image').naturalWidth > 0")
        assert image.evaluate("node => node.naturalWidth") == 120
        assert owner.evaluate("window.pwned === undefined")
        owner.locator("#news-reader-close").click()
        expect(card.locator(".unread-marker")).to_have_count(0)
    finally:
        owner.context.close()

    tenant = _new_page(browser, extranet)
    try:
        login(tenant, TENANT)
        open_live(tenant, "/locataire/actualites")
        expect(tenant.locator("h1")).to_have_text("Actualités")
        expect(tenant.locator(".news-card").first).to_be_visible()
        expect(tenant.locator(".news-card").filter(has_text=TITLE)).to_have_count(0)
        expect(tenant.get_by_text(TITLE)).to_have_count(0)
    finally:
        tenant.context.close()
