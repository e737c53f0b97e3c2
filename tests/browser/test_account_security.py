"""Mon compte in a real browser: two-factor setup, a login with the code, a recovery code on a
second device, ending that device's session, and changing the password (phone-sized screen)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from extranet_app.db import make_engine
from extranet_app.models import User
from extranet_app.services.security import hash_password
from tests.browser.conftest import (
    EXPECT_TIMEOUT_MS,
    RunningExtranet,
    fill_login_form,
    login,
    login_button,
    open_live,
)
from tests.browser.expectations import path_pattern
from tests.factories import make_tenant

pytestmark = pytest.mark.browser

EMAIL = "double.facteur@demo.extranet.fr"
PASSWORD = "Un mot de passe pour le test"
NEW_PASSWORD = "Trois chats gris sur le toit"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def person(extranet: RunningExtranet) -> Iterator[str]:
    """A tenant login of its own: the other browser tests share the demo accounts."""
    engine = make_engine(extranet.database_url)
    with Session(engine) as session:
        user = User(
            email=EMAIL, display_name="Dominique Facteur", password_hash=hash_password(PASSWORD)
        )
        session.add(user)
        session.flush()
        make_tenant(session, user=user, last_name="Facteur")
        session.commit()
    yield EMAIL
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == EMAIL)).first()
        if user is not None:
            user.is_active = False  # rows that point at it stay; nobody can log in any more
            user.email = "ancien." + EMAIL
            session.commit()
    engine.dispose()


def _second_device(browser: Browser, extranet: RunningExtranet) -> Page:
    context = browser.new_context(base_url=extranet.frontend_url, locale="fr-FR")
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    return context.new_page()


@pytest.mark.parametrize("viewport", [PHONE])
def test_two_factor_sessions_and_password(
    page: Page, browser: Browser, extranet: RunningExtranet, person: str
) -> None:
    login(page, person, PASSWORD)
    expect(page).to_have_url(path_pattern("/locataire"))
    page.locator("#account-link").click()
    expect(page).to_have_url(path_pattern("/compte"))
    expect(page.locator("h1")).to_have_text("Mon compte")

    # Set up the phone app: the key shown on the page gives the codes.
    page.locator("#start-enrolment").click()
    expect(page.locator("#totp-qr")).to_be_visible()
    secret = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
    page.locator("#enrol-password").fill(PASSWORD)
    page.locator("#enrol-code").fill("000000")
    page.locator("#enrol-submit").click()
    expect(page.locator("#enrol-error")).to_be_visible()
    page.locator("#enrol-password").fill(PASSWORD)
    page.locator("#enrol-code").fill(pyotp.TOTP(secret).now())
    page.locator("#enrol-submit").click()
    codes = page.locator("#recovery-codes code")
    expect(codes).to_have_count(10)
    recovery_code = codes.first.inner_text()
    page.locator("#hide-recovery-codes").click()
    expect(page.locator("#two-factor-on")).to_be_visible()

    # Another device: the password alone is not enough; a recovery code stands in for the phone.
    other = _second_device(browser, extranet)
    fill_login_form(other, person, PASSWORD)
    login_button(other).click()
    expect(other).to_have_url(path_pattern("/connexion/code"))
    other.locator("#code").fill("123456")
    other.get_by_role("button", name="Valider").click()
    expect(other.locator("#code-error")).to_be_visible()
    other.locator("#code").fill(recovery_code)
    other.get_by_role("button", name="Valider").click()
    expect(other).to_have_url(path_pattern("/locataire"))

    # Both sessions are listed here; ending the other one logs that device out.
    open_live(page, "/compte")
    sessions = page.locator(".open-session")
    expect(sessions).to_have_count(2)
    expect(page.locator("#recovery-codes-left")).to_contain_text("9")
    page.locator(".end-session").click()
    expect(sessions).to_have_count(1)
    other.goto("/locataire")
    expect(other).to_have_url(path_pattern("/connexion"))
    other.context.close()

    # Changing the password keeps this browser logged in, under a new session.
    page.locator("#current_password").fill(PASSWORD)
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#password_confirm").fill(NEW_PASSWORD)
    page.locator("#change-password").click()
    expect(page.locator("#password-changed")).to_be_visible()
    expect(page.locator(".open-session")).to_have_count(1)


def test_admin_must_use_two_factor_before_requiring_it_for_the_team(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, "agence@demo.extranet.fr")
    open_live(page, "/agence/parametres")
    page.locator("#tab-securite").click()
    switch = page.locator("#staff-two-factor")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(page.get_by_text("Activez d'abord la double authentification")).to_be_visible()
    expect(switch).to_have_attribute("aria-checked", "false")
