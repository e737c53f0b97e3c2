"""Gestion des accès, "Données personnelles": the agency admin downloads a former tenant's data
as a zip, then anonymises them; on a phone and on a desktop screen."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import Session, col, select

from extranet_app.db import make_engine
from extranet_app.models import Lease, LeaseTenant, Lot, Property, Tenant
from extranet_app.services.timekeeping import today_in_france
from tests.browser.conftest import RunningExtranet, login, open_live

pytestmark = pytest.mark.browser

AGENCY_ADMIN = "agence@demo.extranet.fr"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class FormerTenant:
    name: str
    search: str  # words that find them by their former lot, which anonymisation keeps


def former_tenants(database_url: str, today: date) -> list[FormerTenant]:
    """Demo tenants without a login whose every lease has ended, newest first."""
    engine = make_engine(database_url)
    last_end = func.max(func.coalesce(Lease.end_date, date.max))
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Tenant, func.max(Lot.reference), func.max(Property.name))
                .join(LeaseTenant, LeaseTenant.tenant_id == Tenant.id)
                .join(Lease, Lease.id == LeaseTenant.lease_id)
                .join(Lot, Lot.id == Lease.lot_id)
                .join(Property, Property.id == Lot.property_id)
                .where(col(Tenant.user_id).is_(None), Tenant.company_name == "")
                .group_by(Tenant.id)
                .having(last_end < today)
                .order_by(col(Tenant.id).desc())
            ).all()
            return [
                FormerTenant(f"{tenant.first_name} {tenant.last_name}", f"{building} {lot}")
                for tenant, lot, building in rows
            ]
    finally:
        engine.dispose()


def _people(page: Page, viewport: dict[str, int]):
    """The list as this screen shows it: cards on a phone, the table on a desktop."""
    return page.locator("#access-cards" if viewport["width"] < 1024 else "#access-table")


@pytest.mark.parametrize(
    ("viewport", "which"), [(PHONE, 0), (DESKTOP, 1)], ids=["phone", "desktop"]
)
def test_admin_downloads_a_former_tenants_data_then_anonymises_them(
    page: Page, extranet: RunningExtranet, viewport: dict[str, int], which: int, tmp_path
) -> None:
    former = former_tenants(extranet.database_url, today_in_france())[which]
    login(page, AGENCY_ADMIN)
    open_live(page, "/agence/acces")
    pager = page.locator("#pager-status")
    expect(pager).to_contain_text("personnes")
    unfiltered = pager.inner_text()
    page.get_by_role("textbox", name="Rechercher").fill(former.search)
    # Wait for the (debounced) search to redraw the list: a menu opened on the unfiltered list
    # would be detached by that redraw.
    expect(pager).not_to_have_text(unfiltered)
    people = _people(page, viewport)
    expect(people).to_contain_text(former.name)

    people.get_by_role("button", name=f"Actions pour {former.name}").click()
    page.get_by_role("menuitem", name="Données personnelles").click()
    dialog = page.locator("#personal-data-dialog")
    expect(dialog).to_contain_text(former.name)
    with page.expect_download() as downloaded:
        dialog.locator("#personal-data-export").click()
    assert downloaded.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(downloaded.value.path()) as archive:
        data = json.loads(archive.read("donnees.json"))
    assert data["profils_locataire"][0]["last_name"] in former.name
    assert data["baux"], "the export holds the former lease"

    # The page is still connected after the download: the dialog goes on.
    dialog.get_by_role("button", name="Anonymiser…").click()
    warning = page.locator("#personal-data-warning")
    for kept_or_erased in ("baux", "quittances et reçus", "documents comptables", "identité"):
        expect(warning).to_contain_text(kept_or_erased)
    page.locator("#personal-data-confirm").click()
    expect(page.locator("#personal-data-outcome")).to_contain_text("Anonymisation faite")
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_have_count(0)
    expect(people).to_contain_text("Personne anonymisée")
    expect(people).not_to_contain_text(former.name)
