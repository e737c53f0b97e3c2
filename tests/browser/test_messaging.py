"""Messagerie: a tenant and the agency, each in their own browser, talk without reloading."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import EXPECT_TIMEOUT_MS, RunningExtranet, login
from tests.browser.expectations import path_pattern
from tests.messaging_support import tiny_png

pytestmark = pytest.mark.browser

# The poll runs every 2 s; the reload it triggers and the render take a moment more.
LIVE_TIMEOUT_MS = 12_000


@pytest.fixture
def agency_page(browser: Browser, extranet: RunningExtranet) -> Iterator[Page]:
    """A second browser context (its own cookies): the agency's."""
    context = browser.new_context(
        base_url=extranet.frontend_url, viewport={"width": 1280, "height": 800}, locale="fr-FR"
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _open_messaging(page: Page, email: str, link: str, path: str) -> None:
    login(page, email)
    page.locator("#sidebar").get_by_role("link", name=link).click()
    expect(page).to_have_url(path_pattern(path))
    expect(page.locator("#thread-list")).to_be_visible()


def _choose(page: Page, trigger: str, option: str) -> None:
    page.locator(trigger).click()
    page.get_by_role("option", name=option).click()


def test_tenant_and_agency_exchange_messages_live_with_a_photo(
    page: Page, agency_page: Page, extranet: RunningExtranet
) -> None:
    subject = f"Robinet qui fuit {int(time.time())}"
    _open_messaging(agency_page, "agence@demo.extranet.fr", "Messages", "/agence/messages")
    _open_messaging(page, "locataire@demo.extranet.fr", "Messagerie", "/locataire/messages")

    # The tenant reports an intervention with a photo.
    page.locator("#new-message").click()
    page.locator("#new-subject").fill(subject)
    _choose(page, "#new-category", "Intervention / problème technique")
    page.locator("#new-text").fill("L'eau coule sous l'évier, voir la photo.")
    page.locator("#new-files input[type=file]").set_input_files(
        files=[{"name": "fuite.png", "mimeType": "image/png", "buffer": tiny_png(4, 3)}]
    )
    expect(page.locator("#new-message-form")).to_contain_text("fuite.png")
    page.locator("#new-text-send").click()
    expect(page.locator("#conversation-subject")).to_have_text(subject)
    expect(page.locator("#messages .attachment")).to_contain_text("fuite.png")

    # The agency sees it arrive without reloading, opens it and downloads the photo.
    arrived = agency_page.locator(".thread-item", has_text=subject)
    expect(arrived).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(arrived).to_have_class(re.compile(r"\bunread\b"))
    arrived.click()
    expect(agency_page.locator("#conversation-subject")).to_have_text(subject)
    with agency_page.expect_download() as downloaded:
        agency_page.locator("#messages .attachment", has_text="fuite.png").click()
    assert downloaded.value.suggested_filename == "fuite.png"
    with open(downloaded.value.path(), "rb") as photo:
        assert photo.read() == tiny_png(4, 3)

    # The agency answers (with markup that must stay text); the tenant sees it live.
    answer = 'Le plombier passe demain. <img src=x onerror="window.__hacked=1"> https://exemple.fr'
    agency_page.locator("#agency-reply").fill(answer)
    agency_page.locator("#agency-reply-send").click()
    expect(agency_page.locator("#messages")).to_contain_text("Le plombier passe demain.")
    expect(page.locator("#messages")).to_contain_text(answer, timeout=LIVE_TIMEOUT_MS)
    assert page.evaluate("window.__hacked") is None
    link = page.locator("#messages a", has_text="https://exemple.fr")
    expect(link).to_have_attribute("href", "https://exemple.fr")

    # The tenant replies; the agency sees it live, and that its answer was read.
    page.locator("#reply-text").fill("Merci, je serai là.")
    page.locator("#reply-text-send").click()
    expect(agency_page.locator("#messages")).to_contain_text(
        "Merci, je serai là.", timeout=LIVE_TIMEOUT_MS
    )
    expect(agency_page.locator("#messages .read")).to_contain_text("Lu le")


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("locataire@demo.extranet.fr", "/locataire/messages"),
        ("agence@demo.extranet.fr", "/agence/messages"),
    ],
)
def test_on_a_phone_the_list_comes_first_then_the_conversation(
    page: Page, extranet: RunningExtranet, email: str, path: str
) -> None:
    login(page, email)
    page.goto(path)
    first = page.locator(".thread-item").first
    expect(first).to_be_visible()
    subject = first.get_attribute("aria-label")
    first.click()
    expect(page.locator("#conversation-subject")).to_have_text(subject)
    expect(page.locator("#thread-list")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role(
        "button", name=re.compile("Toutes les conversations|Boîte de réception")
    ).click()
    expect(page.locator("#thread-list")).to_be_visible()


def test_the_live_poll_stops_when_the_page_or_the_tab_is_left(
    page: Page, extranet: RunningExtranet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extranet_app.states import messaging_live

    polls: list[float] = []
    original = messaging_live.poll_activity

    def counted(*args):
        polls.append(time.monotonic())
        return original(*args)

    # The backend runs in this process: count the polls of the Messagerie pages.
    monkeypatch.setattr(messaging_live, "poll_activity", counted)
    _open_messaging(page, "locataire@demo.extranet.fr", "Messagerie", "/locataire/messages")
    page.wait_for_timeout(5_000)
    assert len(polls) >= 2  # about one every 2 s

    page.locator("#sidebar").get_by_role("link", name="Porte-documents").click()
    expect(page).to_have_url(path_pattern("/locataire/documents"))
    page.wait_for_timeout(2_500)  # a poll under way may still finish
    after_leaving = len(polls)
    page.wait_for_timeout(5_000)
    assert len(polls) == after_leaving

    page.locator("#sidebar").get_by_role("link", name="Messagerie").click()
    expect(page.locator("#thread-list")).to_be_visible()
    page.wait_for_timeout(5_000)
    assert len(polls) > after_leaving
    page.close()  # the tab is closed: its websocket goes, and so does the poll
    time.sleep(2.5)
    after_closing = len(polls)
    time.sleep(5)
    assert len(polls) == after_closing
