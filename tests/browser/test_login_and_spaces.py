"""Logging in, landing in one's own space, being kept out of the others, logging out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from extranet_app.services.timekeeping import today_in_france
from extranet_app.settings import get_settings
from tests.browser.conftest import (
    RunningExtranet,
    fill_login_form,
    login,
    login_button,
    texts_shown,
    watch_for_texts,
)
from tests.browser.expectations import (
    current_leases,
    display_name,
    normalize_spaces,
    path_pattern,
)

pytestmark = pytest.mark.browser

AGENCY = "agence@demo.extranet.fr"
TENANT = "locataire@demo.extranet.fr"
OWNER = "proprietaire@demo.extranet.fr"
MIXED = "mixte@demo.extranet.fr"
LOGIN_ERROR = "Adresse e-mail ou mot de passe incorrect."
LOGIN_ROUTE = "/api/auth/login"
PHONE = {"width": 390, "height": 844}


HOME_TITLES = {
    "/agence": "Accueil",
    "/locataire": "Tableau de bord",
    "/proprietaire": "Tableau de bord",
}


def expect_in_space(page: Page, path: str, name: str) -> None:
    """The page is the home of a space: its address, its title and the user's header."""
    expect(page).to_have_url(path_pattern(path))
    expect(page.locator("h1")).to_have_text(HOME_TITLES[path])
    expect(page.locator("#user-name")).to_have_text(name)
    expect(page.locator("#logout")).to_be_visible()


def session_cookies(page: Page) -> list[dict]:
    name = get_settings().session_cookie_name
    return [cookie for cookie in page.context.cookies() if cookie["name"] == name]


@pytest.mark.parametrize(
    ("email", "space"),
    [(AGENCY, "/agence"), (TENANT, "/locataire"), (OWNER, "/proprietaire")],
)
def test_demo_account_lands_in_its_space(
    page: Page, extranet: RunningExtranet, email: str, space: str
) -> None:
    login(page, email)
    expect_in_space(page, space, display_name(extranet.database_url, email))
    expect(page.locator("#logout")).to_have_text("Se déconnecter")


def test_tenant_and_owner_chooses_a_space_then_switches(
    page: Page, extranet: RunningExtranet
) -> None:
    name = display_name(extranet.database_url, MIXED)
    login(page, MIXED)
    expect(page).to_have_url(path_pattern("/espace"))
    expect(page.get_by_role("link", name="Espace propriétaire")).to_be_visible()
    page.get_by_role("link", name="Espace locataire").click()
    expect_in_space(page, "/locataire", name)

    page.locator("#switch-space").click()
    expect_in_space(page, "/proprietaire", name)
    page.locator("#switch-space").click()
    expect_in_space(page, "/locataire", name)


@pytest.mark.parametrize("email", [TENANT, "personne@demo.extranet.fr"])
def test_wrong_credentials_show_one_error_and_set_no_cookie(page: Page, email: str) -> None:
    login(page, email, "not-the-password")
    expect(page).to_have_url(path_pattern("/connexion"))
    assert "erreur=identifiants" in page.url
    expect(page.get_by_text(LOGIN_ERROR)).to_be_visible()
    assert session_cookies(page) == []


def test_login_form_posts_natively_to_the_login_route(page: Page) -> None:
    fill_login_form(page, TENANT)
    form = page.locator("form#login-form")
    expect(form).to_have_attribute("method", re.compile("post", re.IGNORECASE))
    expect(page.locator("#email")).to_have_attribute("name", "email")
    expect(page.locator("#password")).to_have_attribute("name", "password")
    with page.expect_response(lambda response: LOGIN_ROUTE in response.url) as answer:
        login_button(page).click()
    assert answer.value.request.method == "POST"
    assert answer.value.status == 303
    expect(page).to_have_url(path_pattern("/locataire"))


def test_session_cookie_is_out_of_javascripts_reach(page: Page) -> None:
    login(page, TENANT)
    expect(page).to_have_url(path_pattern("/locataire"))
    (cookie,) = session_cookies(page)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] in ("Lax", "Strict")
    assert cookie["value"] not in page.evaluate("document.cookie")


@pytest.mark.parametrize(
    ("email", "own_space", "other_space"),
    [(TENANT, "/locataire", "/agence"), (OWNER, "/proprietaire", "/locataire")],
)
def test_opening_another_roles_space_lands_in_ones_own(
    page: Page, extranet: RunningExtranet, email: str, own_space: str, other_space: str
) -> None:
    login(page, email)
    expect(page).to_have_url(path_pattern(own_space))
    page.goto(other_space)
    expect_in_space(page, own_space, display_name(extranet.database_url, email))


@pytest.mark.parametrize("space", ["/agence", "/locataire", "/proprietaire"])
def test_anonymous_visitor_is_sent_to_login(page: Page, space: str) -> None:
    page.goto(space)
    expect(page).to_have_url(path_pattern("/connexion"))
    expect(page.locator("#login-form")).to_be_visible()


def test_tenant_home_shows_lease_address_and_rent(page: Page, extranet: RunningExtranet) -> None:
    leases = current_leases(extranet.database_url, TENANT, today_in_france())
    assert leases, "the demo tenant should have a current lease"
    login(page, TENANT)
    expect(page).to_have_url(path_pattern("/locataire"))
    for lease in leases:
        expect(page.get_by_text(lease.address_line1).first).to_be_visible()
    shown = normalize_spaces(page.locator("body").inner_text())
    for lease in leases:
        assert lease.rent in shown, f"rent {lease.rent!r} not shown in:\n{shown}"


def test_back_after_logout_shows_no_private_data(page: Page, extranet: RunningExtranet) -> None:
    name = display_name(extranet.database_url, TENANT)
    (lease, *_) = current_leases(extranet.database_url, TENANT, today_in_france())
    login(page, TENANT)
    expect(page.locator("#user-name")).to_have_text(name)
    watch_for_texts(page, [name, lease.address_line1])
    # A second, full load of the home, so that a private page sits right behind the logout.
    page.goto("/locataire")
    expect(page.get_by_text(lease.address_line1).first).to_be_visible()

    page.locator("#logout").click()
    expect(page).to_have_url(path_pattern("/connexion"))
    assert session_cookies(page) == []
    page.go_back()
    # The visitor is anonymous again: the space's guard sends them back to the login form,
    # and the private page behind never shows the name or the address, not even briefly.
    expect(page).to_have_url(path_pattern("/connexion"))
    expect(page.locator("#login-form")).to_be_visible()
    assert texts_shown(page) == []
    expect(page.get_by_text(name)).to_have_count(0)
    expect(page.get_by_text(lease.address_line1)).to_have_count(0)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_phone_menu_opens_navigates_and_closes(page: Page) -> None:
    login(page, TENANT)
    expect(page).to_have_url(path_pattern("/locataire"))
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    sidebar_home = page.locator("a").filter(has_text=re.compile(r"^\s*Tableau de bord\s*$")).first
    expect(sidebar_home).to_be_attached()
    expect(sidebar_home).to_be_hidden()  # the sidebar is not shown on a phone

    menu_button = page.locator("#menu-button")
    expect(menu_button).to_have_attribute("aria-label", "Ouvrir le menu")
    menu_button.click()
    menu_home = page.get_by_role("link", name="Tableau de bord")  # only visible links have a role
    expect(menu_home).to_be_visible()
    menu_home.click()
    expect(menu_home).to_be_hidden()
    expect(page).to_have_url(path_pattern("/locataire"))
    expect(page.locator("h1")).to_have_text("Tableau de bord")
