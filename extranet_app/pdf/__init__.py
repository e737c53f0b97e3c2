"""PDF renderers: each takes plain data and returns the bytes of a finished PDF."""

from extranet_app.pdf.base import AgencyDocument, Letterhead, letterhead_from, lot_label
from extranet_app.pdf.generic import render_simple_document
from extranet_app.pdf.lease_documents import (
    InventoryRoom,
    LeasedPremises,
    render_inventory,
    render_lease_summary,
    render_tenancy_certificate,
)
from extranet_app.pdf.mandate import render_management_mandate
from extranet_app.pdf.property_documents import (
    EnergyDiagnostic,
    render_co_ownership_rules_extract,
    render_energy_diagnostic,
)

__all__ = [
    "AgencyDocument",
    "EnergyDiagnostic",
    "InventoryRoom",
    "LeasedPremises",
    "Letterhead",
    "letterhead_from",
    "lot_label",
    "render_co_ownership_rules_extract",
    "render_energy_diagnostic",
    "render_inventory",
    "render_lease_summary",
    "render_management_mandate",
    "render_simple_document",
    "render_tenancy_certificate",
]
