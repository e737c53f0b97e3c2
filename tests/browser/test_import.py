"""Import: the agency imports a small tenants file, then finds the new tenants in Gestion des
accès, ready to be enrolled."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningExtranet, login
from tests.browser.expectations import path_pattern
from tests.import_support import csv_bytes

pytestmark = pytest.mark.browser

AGENCY = "agence@demo.extranet.fr"
TENANTS = [
    ["Référence", "Civilité", "Nom", "Prénom", "E-mail"],
    ["IMP-001", "Mme", "Quéméner", "Gwénaëlle", "gwenaelle.quemener@import.test"],
    ["IMP-002", "M.", "Ybarnégaray", "Iñaki", "inaki.ybarnegaray@import.test"],
]


def _upload(page: Page, path: Path) -> None:
    page.locator("#import-file input[type=file]").set_input_files(str(path))
    page.locator("#import-upload").click()
    expect(page.locator("#import-file-name")).to_contain_text(path.name)


def test_agency_imports_tenants_who_then_wait_in_gestion_des_acces(
    page: Page, extranet: RunningExtranet, tmp_path: Path
) -> None:
    path = tmp_path / "locataires.csv"
    path.write_bytes(csv_bytes(TENANTS))  # ';' and Windows-1252, as French Excel writes
    login(page, AGENCY)
    page.locator("#sidebar").get_by_role("link", name="Import").click()
    expect(page).to_have_url(path_pattern("/agence/import"))
    expect(page.locator("h1")).to_have_text("Import")
    _upload(page, path)
    expect(page.locator("#import-preview")).to_contain_text("Gwénaëlle")

    page.locator("#import-check").click()
    expect(page.locator("#import-report")).to_contain_text("Essai sans erreur (2 créés")
    page.locator("#import-run").click()
    expect(page.locator("#import-report")).to_have_text(
        "Import terminé : 2 créés, 0 modifié, 0 inchangé."
    )

    page.locator("#sidebar").get_by_role("link", name="Gestion des accès").click()
    expect(page).to_have_url(path_pattern("/agence/acces"))
    page.get_by_role("textbox", name="Rechercher").fill("import.test")
    rows = page.locator("#access-table tbody tr")
    expect(rows).to_have_count(2)
    for name, email in (("Quéméner", "gwenaelle"), ("Ybarnégaray", "inaki")):
        row = page.locator("#access-table tr", has_text=name)
        expect(row).to_contain_text(f"{email}")
        expect(row).to_contain_text("Non inscrit")
    page.get_by_role("button", name="Actions pour Gwénaëlle Quéméner").click()
    page.get_by_role("menuitem", name="Inscrire").click()
    expect(page.locator("#access-table tr", has_text="Quéméner")).to_contain_text("code à envoyer")


def test_agency_edits_a_tenant_by_hand_and_exports_the_list(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, AGENCY)
    page.locator("#sidebar").get_by_role("link", name="Données").click()
    expect(page).to_have_url(path_pattern("/agence/donnees"))
    page.locator("#data-kind").get_by_role("radio", name="Locataires").click()
    page.get_by_role("textbox", name="Rechercher").fill("LOC-001")
    row = page.locator("#data-table tbody tr")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Modifier").click()
    form = page.locator("#data-form")
    expect(form.locator("#field-external_ref")).to_have_value("LOC-001")
    form.locator("#field-phone").fill("04 72 00 00 01")
    form.locator("#field-email").fill("pas-une-adresse")
    page.locator("#data-save").click()
    expect(form).to_contain_text("adresse e-mail invalide « pas-une-adresse »")
    form.locator("#field-email").fill("loc001.nouvelle@import.test")
    page.locator("#data-save").click()
    expect(page.locator("#data-form")).to_have_count(0)
    expect(row).to_contain_text("loc001.nouvelle@import.test")

    href = page.locator("#data-export").get_attribute("href")
    assert href is not None and href.endswith("/api/agence/export/locataires")
    response = page.request.get(href)
    assert response.status == 200
    text = response.body().decode("utf-8-sig")
    assert text.startswith("Référence;Civilité;Nom;Prénom")
    assert "04 72 00 00 01" in text
