"""The seed's flow end to end: enrol, transfer the code, send it over SMTP, activate, Aperçu."""

from __future__ import annotations

import re
import time
from email.message import Message
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningExtranet, login, open_live
from tests.browser.expectations import path_pattern, tenant_not_yet_enrolled
from tests.smtp_support import SmtpServer

pytestmark = pytest.mark.browser

AGENCY = "agence@demo.extranet.fr"
NEW_PASSWORD = "trois pommes vertes sur la table"
_ACTIVATION_LINK = re.compile(r"https?://\S+/activation\?jeton=[\w-]+")


def _search_access_list(page: Page, email: str) -> None:
    open_live(page, "/agence/acces")
    page.get_by_role("textbox", name="Rechercher").fill(email)
    expect(page.get_by_text(email).first).to_be_visible()


def _row(page: Page, email: str):
    return page.locator("#access-table tr", has_text=email)


def _row_action(page: Page, name: str, action: str) -> None:
    page.get_by_role("button", name=f"Actions pour {name}").first.click()
    page.get_by_role("menuitem", name=action).click()


def _send_from_the_outbox(page: Page, email: str) -> None:
    open_live(page, "/agence/envois")
    page.get_by_role("textbox", name="Rechercher").fill(email)
    expect(page.get_by_text(email).first).to_be_visible()
    page.get_by_role("checkbox", name="Sélectionner toute la page").first.click()
    page.locator("#send-selected").click()
    expect(page.locator("#sending-summary")).to_contain_text("1 envoyé")


def _received_by(server: SmtpServer, address: str, timeout_s: float = 15) -> Message:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with server.handler.lock:
            for message in server.handler.messages:
                if address in message["To"]:
                    return message
        time.sleep(0.2)
    raise AssertionError(f"no e-mail reached the SMTP server for {address}")


def _text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the e-mail has no plain-text part")


def _activation_path(message: Message) -> str:
    link = _ACTIVATION_LINK.search(_text_of(message))
    assert link is not None, "the e-mail holds no activation link"
    parts = urlsplit(link.group(0))
    return f"{parts.path}?{parts.query}"


def test_agency_enrols_sends_the_code_and_the_tenant_activates(
    page: Page, browser: Browser, extranet: RunningExtranet, mail_server: SmtpServer
) -> None:
    email, name = tenant_not_yet_enrolled(extranet.database_url)
    login(page, AGENCY)
    _search_access_list(page, email)
    _row_action(page, name, "Inscrire")
    expect(_row(page, email)).to_contain_text("code à envoyer")
    _row_action(page, name, "Transférer le code au centre d'envoi")
    expect(_row(page, email)).to_contain_text("Code envoyé")
    _send_from_the_outbox(page, email)

    message = _received_by(mail_server, email)
    assert message["Message-ID"]
    assert re.search(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}\b", _text_of(message))
    tenant = browser.new_context(base_url=extranet.frontend_url).new_page()
    open_live(tenant, _activation_path(message))
    expect(tenant.get_by_text(email)).to_be_visible()
    tenant.locator("#password").fill(NEW_PASSWORD)
    tenant.locator("#password_confirm").fill(NEW_PASSWORD)
    tenant.get_by_role("button", name="Activer mon compte").click()
    expect(tenant).to_have_url(path_pattern("/locataire"))
    expect(tenant.locator("#user-name")).to_have_text(name)
    tenant.context.close()

    _search_access_list(page, email)
    expect(_row(page, email)).to_contain_text("Activé")
    _row_action(page, name, "Aperçu")
    expect(page).to_have_url(path_pattern("/locataire"))
    expect(page.locator("#preview-banner")).to_contain_text(name)
    expect(page.locator("#logout")).to_have_count(0)
    page.locator("#exit-preview").click()
    expect(page).to_have_url(path_pattern("/agence"))
    expect(page.locator("#preview-banner")).to_have_count(0)
