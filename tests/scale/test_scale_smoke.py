"""Smoke test of the scaled-out deployment: prod mode, PostgreSQL, Redis, 3 granian workers.

A tenant and the agency use the app at the same time in two browser contexts. Their HTTP requests
(login, downloads) and their websockets are spread over the workers, so every step that works
proves that nothing lives in one worker's memory: the login session is in PostgreSQL, the page
state in Redis.
"""

from __future__ import annotations

import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import EXPECT_TIMEOUT_MS, login
from tests.browser.expectations import path_pattern
from tests.scale.conftest import REDIS_URL, WORKERS, ScaledExtranet

pytestmark = pytest.mark.scale


def _new_context(browser: Browser, app: ScaledExtranet) -> BrowserContext:
    context = browser.new_context(
        base_url=app.url, viewport={"width": 1280, "height": 800}, locale="fr-FR"
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    return context


def _open_section(page: Page, label: str, path: str) -> None:
    page.locator("#sidebar").get_by_role("link", name=label).click()
    expect(page).to_have_url(path_pattern(path))
    expect(page.locator("h1")).to_have_text(label)


def _state_keys_in_redis(page: Page) -> list[bytes]:
    """The Redis keys of this tab's state (the tab's Reflex client token is in sessionStorage)."""
    token = page.evaluate("window.sessionStorage.getItem('token')")
    assert token, "the tab has no Reflex client token"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return list(client.scan_iter(match=f"{token}*"))
    finally:
        client.close()


def test_tenant_and_agency_work_side_by_side_on_three_workers(
    browser: Browser, scaled_extranet: ScaledExtranet
) -> None:
    app = scaled_extranet
    assert len(app.worker_pids()) == WORKERS, app.log_tail()

    tenant_context = _new_context(browser, app)
    agency_context = _new_context(browser, app)
    try:
        tenant = tenant_context.new_page()
        login(tenant, "locataire@demo.extranet.fr")
        expect(tenant).to_have_url(path_pattern("/locataire"))
        _open_section(tenant, "Quittances de loyers", "/locataire/quittances")
        _open_section(tenant, "Porte-documents", "/locataire/documents")
        with tenant.expect_download() as downloaded:
            tenant.get_by_role("link", name="Télécharger").first.click()
        with open(downloaded.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"

        agency = agency_context.new_page()
        login(agency, "agence@demo.extranet.fr")
        expect(agency).to_have_url(path_pattern("/agence"))
        _open_section(agency, "Messages", "/agence/messages")

        # A reload opens a new websocket, possibly on another worker: the state comes from Redis.
        tenant.reload()
        expect(tenant.locator("h1")).to_have_text("Porte-documents")
        expect(tenant.get_by_role("link", name="Télécharger").first).to_be_visible()
        assert _state_keys_in_redis(tenant), "the tab's state is not in Redis"
        assert _state_keys_in_redis(agency), "the tab's state is not in Redis"
    finally:
        tenant_context.close()
        agency_context.close()
    assert len(app.worker_pids()) == WORKERS, "a worker died:\n" + app.log_tail()
