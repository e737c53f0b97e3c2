"""Paramètres: the admin turns Facturations off for one building; its tenants lose it, others
keep it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, delete, select

from extranet_app.db import make_engine
from extranet_app.models import Invitation, OutboxEmail, SectionSetting, User
from tests.browser.conftest import EXPECT_TIMEOUT_MS, RunningExtranet, login, open_live
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser

ADMIN = "agence@demo.extranet.fr"
TENANT_IN_TILLEULS = "locataire@demo.extranet.fr"
TENANT_ELSEWHERE = "mixte@demo.extranet.fr"  # a tenant of Le Jean Macé (and an owner)
BUILDING = "Résidence Les Tilleuls"
INVOICES = "/locataire/facturations"
INVITED = "ines.navigateur@demo.extranet.fr"


@pytest.fixture
def sections_restored(extranet: RunningExtranet) -> Iterator[None]:
    """The other browser tests share the demo database: put every section back on after."""
    yield
    engine = make_engine(extranet.database_url)
    with Session(engine) as session:
        session.exec(delete(SectionSetting))
        session.commit()
    engine.dispose()


@pytest.fixture
def invitation_removed(extranet: RunningExtranet) -> Iterator[None]:
    """The invited colleague and their access code e-mail go again after the test."""
    yield
    engine = make_engine(extranet.database_url)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == INVITED)).first()
        if user is not None:
            session.exec(delete(OutboxEmail).where(OutboxEmail.user_id == user.id))
            session.exec(delete(Invitation).where(Invitation.user_id == user.id))
            session.delete(user)
            session.commit()
    engine.dispose()


def _new_page(browser: Browser, extranet: RunningExtranet) -> Page:
    context = browser.new_context(base_url=extranet.frontend_url, locale="fr-FR")
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    return context.new_page()


def _choose(page: Page, trigger: str, option: str) -> None:
    page.locator(trigger).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_admin_turns_facturations_off_for_one_building_only(
    page: Page, browser: Browser, extranet: RunningExtranet, sections_restored: None
) -> None:
    login(page, ADMIN)
    page.locator("#sidebar").get_by_role("link", name="Paramètres").click()
    expect(page).to_have_url(path_pattern("/agence/parametres"))
    page.locator("#tab-rubriques").click()
    _choose(page, "#building-picker", BUILDING)
    switch = page.locator("#building-locataire-facturations")
    expect(switch).to_have_text("Comme le réglage général")
    _choose(page, "#building-locataire-facturations", "Désactivée")
    expect(page.get_by_text("Rubrique mise à jour.")).to_be_visible()
    expect(switch).to_have_text("Désactivée")
    expect(page.locator("#section-locataire-facturations")).to_have_attribute(
        "data-state", "checked"
    )

    tenant = _new_page(browser, extranet)
    login(tenant, TENANT_IN_TILLEULS)
    sidebar = tenant.locator("#sidebar")
    expect(sidebar.get_by_role("link", name="Porte-documents")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Facturations")).to_have_count(0)
    # Typed in the address bar: the page sends the tenant back to their home.
    open_live(tenant, INVOICES)
    expect(tenant).to_have_url(path_pattern("/locataire"))
    tenant.context.close()

    elsewhere = _new_page(browser, extranet)
    login(elsewhere, TENANT_ELSEWHERE)
    elsewhere.get_by_role("link", name="Espace locataire").click()
    elsewhere.locator("#sidebar").get_by_role("link", name="Facturations").click()
    expect(elsewhere).to_have_url(path_pattern(INVOICES))
    expect(elsewhere.locator("h1")).to_have_text("Facturations")
    elsewhere.context.close()


def test_admin_invites_a_colleague_who_then_appears_in_the_team(
    page: Page, extranet: RunningExtranet, invitation_removed: None
) -> None:
    login(page, ADMIN)
    open_live(page, "/agence/equipe")
    expect(page.locator("h1")).to_have_text("Équipe")
    page.locator("#invite-name").fill("Inès Navigateur")
    page.locator("#invite-email").fill(INVITED)
    page.locator("#invite").click()
    expect(page.get_by_text("transférée au centre d'envoi")).to_be_visible()
    row = page.locator("#staff-table .staff-row", has_text=INVITED)
    expect(row).to_contain_text("Invitation envoyée")
    expect(row).to_contain_text("Jamais")


def test_the_email_introduction_is_previewed_with_its_mandatory_parts(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, ADMIN)
    open_live(page, "/agence/parametres")
    page.locator("#tab-emails").click()
    editor = page.locator("#intro-text")
    editor.fill("Bienvenue chez {agence}, votre nouvel espace vous attend.")
    page.locator("#preview-intro").click()
    preview = page.frame_locator("#intro-preview")
    expect(preview.locator("body")).to_contain_text("votre nouvel espace vous attend")
    expect(preview.locator("body")).to_contain_text("Votre code d'accès")
