"""Documents: the agency uploads a PDF to the demo tenant's lease; the tenant downloads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from playwright.sync_api import Page, expect
from sqlmodel import Session, or_, select

from extranet_app.db import make_engine
from extranet_app.models import Lease, LeaseTenant, Lot, Property, Tenant, User
from extranet_app.services.timekeeping import today_in_france
from tests.browser.conftest import RunningExtranet, login
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser

TENANT_LOGIN = "locataire@demo.extranet.fr"
TITLE = "Avenant au bail – essai navigateur"


def current_lease_of(database_url: str, email: str) -> tuple[str, str]:
    """(the tenant's last name, "Building — lot X") of the login's lease in force today."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            tenant, lot, building = session.exec(
                select(Tenant, Lot, Property)
                .join(User, User.id == Tenant.user_id)
                .join(LeaseTenant, LeaseTenant.tenant_id == Tenant.id)
                .join(Lease, Lease.id == LeaseTenant.lease_id)
                .join(Lot, Lot.id == Lease.lot_id)
                .join(Property, Property.id == Lot.property_id)
                .where(User.email == email, Lease.start_date <= today_in_france())
                .where(or_(Lease.end_date.is_(None), Lease.end_date >= today_in_france()))
            ).first()
            return tenant.last_name, f"{building.name} — lot {lot.reference}"
    finally:
        engine.dispose()


def a_pdf(folder: Path) -> tuple[Path, bytes]:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Avenant au bail")
    data = bytes(pdf.output())
    path = folder / "avenant.pdf"
    path.write_bytes(data)
    return path, data


def upload_to_the_tenants_lease(page: Page, extranet: RunningExtranet, pdf: Path) -> None:
    last_name, lot_label = current_lease_of(extranet.database_url, TENANT_LOGIN)
    login(page, "agence@demo.extranet.fr")
    page.locator("#sidebar").get_by_role("link", name="Documents", exact=True).click()
    expect(page).to_have_url(path_pattern("/agence/documents"))
    page.locator("#target-search").fill(last_name)
    page.get_by_role("button", name="Rechercher").click()
    result = (
        page.locator(".target-result").filter(has_text=lot_label).filter(has_text="depuis le").first
    )
    result.get_by_role("button", name="Choisir").click()
    expect(page.locator("#chosen-target")).to_contain_text(lot_label)
    expect(page.locator("#upload-audience")).to_have_text("Locataires concernés")
    page.locator("#upload-title").fill(TITLE)
    page.locator("#agency-document-files input[type=file]").set_input_files(str(pdf))
    expect(page.get_by_text("avenant.pdf")).to_be_visible()
    page.locator("#upload-submit").click()
    expect(page.get_by_text("1 document déposé")).to_be_visible()
    row = page.locator(".document-row").filter(has_text=TITLE)
    expect(row).to_contain_text(lot_label)
    expect(row).to_contain_text("Locataires concernés")


def test_the_agency_uploads_a_pdf_that_the_tenant_then_downloads(
    page: Page, extranet: RunningExtranet, tmp_path: Path
) -> None:
    pdf, data = a_pdf(tmp_path)
    upload_to_the_tenants_lease(page, extranet, pdf)
    page.locator("#sidebar").get_by_role("link", name="Documents reçus").click()
    expect(page.locator("h1")).to_have_text("Documents reçus")
    expect(page.locator(".received-row").filter(has_text="RIB")).to_contain_text("À classer")

    tenant = page.context.browser.new_page(base_url=extranet.frontend_url)
    try:
        login(tenant, TENANT_LOGIN)
        tenant.locator("#sidebar").get_by_role("link", name="Porte-documents").click()
        expect(tenant).to_have_url(path_pattern("/locataire/documents"))
        link = tenant.get_by_role("link", name="Télécharger " + TITLE)
        expect(link).to_be_visible()
        with tenant.expect_download() as downloaded:
            link.click()
        assert downloaded.value.suggested_filename == "avenant.pdf"
        assert Path(downloaded.value.path()).read_bytes() == data
    finally:
        tenant.context.close()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_an_owner_sends_a_document_from_a_phone_and_the_agency_files_it(
    page: Page, extranet: RunningExtranet, tmp_path: Path
) -> None:
    pdf, _ = a_pdf(tmp_path)
    login(page, "proprietaire@demo.extranet.fr")
    page.goto("/proprietaire/envoi-documents")
    expect(page.locator("h1")).to_have_text("Envoi de documents")
    page.locator("#send-category").click()
    page.get_by_role("option", name="Facture").click()
    page.locator("#send-comment").fill("Facture du plombier")
    page.locator("#owner-document-files input[type=file]").set_input_files(str(pdf))
    page.locator("#send").click()
    expect(page.get_by_text("Document envoyé à votre agence.")).to_be_visible()
    sent = page.locator(".sent-card").filter(has_text="Facture").first
    expect(sent).to_contain_text("Reçu par l'agence")

    agency = page.context.browser.new_page(base_url=extranet.frontend_url)
    try:
        login(agency, "agence@demo.extranet.fr")
        agency.goto("/agence/documents-recus")
        row = agency.locator(".received-row").filter(has_text="Facture du plombier")
        expect(row).to_contain_text("À classer")
        row.get_by_role("button", name="Classer").click()
        dialog = agency.locator("#filing-dialog")
        expect(dialog).to_contain_text("Facture")
        dialog.get_by_role("button", name="Classer").click()
        expect(agency.get_by_text("« Facture » classé.")).to_be_visible()
        expect(
            agency.locator(".received-row").filter(has_text="Facture du plombier")
        ).to_have_count(0)
    finally:
        agency.context.close()
