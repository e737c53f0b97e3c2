"""PDF renderers and French formatting: real PDFs, with € and accents, from plain data."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest

from extranet_app.models import (
    Lease,
    LeaseKind,
    Lot,
    LotKind,
    ManagementMandate,
    Owner,
    Property,
    Tenant,
)
from extranet_app.pdf import (
    EnergyDiagnostic,
    InventoryRoom,
    LeasedPremises,
    Letterhead,
    lot_label,
    render_co_ownership_rules_extract,
    render_energy_diagnostic,
    render_inventory,
    render_lease_summary,
    render_management_mandate,
    render_simple_document,
    render_tenancy_certificate,
)
from extranet_app.services.formatting import format_date, format_euros, format_month, format_rate_bp

LETTERHEAD = Letterhead(
    name="Agence Démo Immobilier",
    address_lines=("12 rue de la République", "69002 Lyon"),
    phone="04 78 42 17 30",
    email="contact@demo.extranet.fr",
    siret="812 345 678 00021",
    professional_card="CPI 6901 2018 000 012 345",
    professional_card_issuer="CCI Lyon Métropole Saint-Étienne Roanne",
    financial_guarantee="GALIAN Assurances — 120 000 €",
)
BUILDING = Property(
    name="Résidence Les Tilleuls", address_line1="24 rue Vendôme", postal_code="69006", city="Lyon"
)
FLAT = Lot(
    property_id=1, reference="A12", kind=LotKind.APARTMENT, floor="2e", surface_m2=48.5, rooms=2
)
LEASE = Lease(
    lot_id=1,
    external_ref="BAIL-0001",
    kind=LeaseKind.UNFURNISHED,
    start_date=date(2023, 3, 1),
    rent_cents=78_050,
    charges_cents=9_000,
    deposit_cents=78_050,
    due_day=5,
    payment_reference="LOC-000001",
    next_revision_date=date(2026, 3, 1),
)
OWNER = Owner(civility="M.", first_name="Philippe", last_name="Garnier", city="Écully")
PREMISES = LeasedPremises(
    lease=LEASE,
    lot=FLAT,
    building=BUILDING,
    tenants=[Tenant(civility="Mme", first_name="Chloé", last_name="Lefèvre-Nguyễn")],
    owners=[OWNER],
)
MANDATE = ManagementMandate(
    owner_id=1, number="MG-2019-0012", start_date=date(2019, 1, 1), fee_rate_bp=750
)

RENDERERS: dict[str, Callable[[], bytes]] = {
    "bail": lambda: render_lease_summary(
        letterhead=LETTERHEAD, premises=PREMISES, issued_on=date(2023, 3, 1)
    ),
    "etat_des_lieux": lambda: render_inventory(
        letterhead=LETTERHEAD,
        premises=PREMISES,
        is_move_in=False,
        done_on=date(2026, 2, 28),
        rooms=[InventoryRoom("Séjour", "État d'usage", "Parquet rayé « côté fenêtre »")],
        meters=[("Eau froide", "456 m³")],
        keys_count=3,
    ),
    "attestation": lambda: render_tenancy_certificate(
        letterhead=LETTERHEAD, premises=PREMISES, issued_on=date(2026, 3, 2)
    ),
    "reglement": lambda: render_co_ownership_rules_extract(
        letterhead=LETTERHEAD,
        building=BUILDING,
        established_on=date(1978, 5, 12),
        notary="Maître Dupuis, notaire à Lyon",
    ),
    "dpe": lambda: render_energy_diagnostic(
        letterhead=LETTERHEAD,
        lot=FLAT,
        building=BUILDING,
        diagnostic=EnergyDiagnostic(date(2022, 9, 14), 185, 32, "Diag Rhône", "CPDI1234"),
    ),
    "mandat": lambda: render_management_mandate(
        letterhead=LETTERHEAD, mandate=MANDATE, owner=OWNER, lots=[(FLAT, BUILDING)] * 30
    ),
    "simple": lambda: render_simple_document(
        letterhead=LETTERHEAD, title="Notice — œuvre", paragraphs=["Loyer : 1 234,56 €."]
    ),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderer_returns_a_complete_pdf_with_an_embedded_unicode_font(name: str) -> None:
    data = RENDERERS[name]()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in data  # the TrueType font that prints €, œ and accents
    assert b"/Helvetica" not in data  # no latin-1-only core font


def test_long_document_gets_numbered_pages() -> None:
    data = RENDERERS["mandat"]()  # thirty lots do not fit on one page
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) >= 2


def test_euros_are_formatted_the_french_way() -> None:
    assert format_euros(123_456) == "1\u202f234,56\u00a0€"
    assert format_euros(5) == "0,05\u00a0€"
    assert format_euros(0) == "0,00\u00a0€"
    assert format_euros(-12_000) == "-120,00\u00a0€"


def test_dates_rates_and_months_are_formatted_the_french_way() -> None:
    assert format_date(date(2026, 3, 5)) == "05/03/2026"
    assert format_rate_bp(700) == "7,00\u00a0%"
    assert format_rate_bp(840) == "8,40\u00a0%"
    assert format_month(date(2026, 8, 1)) == "août 2026"


@pytest.mark.parametrize(
    ("energy", "ghg", "expected"),
    [(70, 6, "A"), (71, 6, "B"), (185, 10, "D"), (150, 60, "E"), (421, 5, "G"), (100, 101, "G")],
)
def test_dpe_class_is_the_worse_of_energy_and_climate(energy: int, ghg: int, expected: str) -> None:
    diagnostic = EnergyDiagnostic(date(2022, 1, 10), energy, ghg, "Diag", "C1")
    assert diagnostic.energy_class == expected


def test_dpe_is_valid_ten_years_even_from_a_leap_day() -> None:
    assert EnergyDiagnostic(date(2024, 2, 29), 100, 5, "D", "C").valid_until == date(2034, 2, 28)


@pytest.mark.parametrize(
    ("kind", "reference", "expected"),
    [
        (LotKind.APARTMENT, "A12", "Appartement A12"),
        (LotKind.PARKING, "Parking 4", "Parking 4"),
        (LotKind.SHOP, "Commerce 1", "Commerce 1"),
        (LotKind.CELLAR, "C3", "Cave C3"),
    ],
)
def test_lot_label_never_repeats_the_kind(kind: LotKind, reference: str, expected: str) -> None:
    assert lot_label(Lot(property_id=1, reference=reference, kind=kind)) == expected
