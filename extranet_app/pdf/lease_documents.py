"""Documents about one lease: the bail summary, an état des lieux, an attestation de location."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from extranet_app.models import Lease, LeaseKind, Lot, Owner, Property, Tenant
from extranet_app.pdf.base import AgencyDocument, Letterhead, lot_label, postal_lines
from extranet_app.services.formatting import format_date, format_euros

# A non-breaking space keeps "n°" with its number.
LAW_1989 = "loi n°\u00a089-462"
LEASE_TITLES = {
    LeaseKind.UNFURNISHED: "Bail d'habitation (logement vide)",
    LeaseKind.FURNISHED: "Bail d'habitation (logement meublé)",
    LeaseKind.COMMERCIAL: "Bail commercial",
    LeaseKind.PARKING: "Contrat de location d'emplacement de stationnement",
}
LEASE_DURATIONS = {
    LeaseKind.UNFURNISHED: f"3 ans, renouvelable par tacite reconduction ({LAW_1989}, art. 10)",
    LeaseKind.FURNISHED: f"1 an, renouvelable par tacite reconduction ({LAW_1989}, art. 25-7)",
    LeaseKind.COMMERCIAL: "9 ans, avec faculté de résiliation triennale (code de commerce, L145-4)",
    LeaseKind.PARKING: "1 an, renouvelable par tacite reconduction",
}


@dataclass(frozen=True)
class LeasedPremises:
    """The lease, what it rents and who signed it: what every lease document prints."""

    lease: Lease
    lot: Lot
    building: Property
    tenants: Sequence[Tenant]
    owners: Sequence[Owner] = ()

    @property
    def tenant_names(self) -> str:
        return ", ".join(tenant.full_name for tenant in self.tenants)

    @property
    def address(self) -> str:
        building = self.building
        return postal_lines(
            building.address_line1,
            building.address_line2,
            f"{building.postal_code} {building.city}",
        )

    def lot_description(self) -> str:
        lot = self.lot
        parts = [lot_label(lot)]
        if lot.floor:
            parts.append(f"étage : {lot.floor}")
        if lot.surface_m2:
            parts.append(f"{lot.surface_m2:.1f} m²".replace(".", ","))
        if lot.rooms:
            parts.append(f"{lot.rooms} pièce{'s' if lot.rooms > 1 else ''}")
        return ", ".join(parts)


@dataclass(frozen=True)
class InventoryRoom:
    """One room of an état des lieux and its condition."""

    name: str
    condition: str  # "Neuf", "Bon état", "État d'usage", "Mauvais état"
    remarks: str = ""


def render_lease_summary(
    *, letterhead: Letterhead, premises: LeasedPremises, issued_on: date
) -> bytes:
    """A summary of the signed bail: parties, premises, duration and money terms."""
    lease = premises.lease
    title = LEASE_TITLES.get(LeaseKind(lease.kind), "Contrat de location")
    pdf = AgencyDocument(letterhead=letterhead, title=f"{title} — synthèse")
    pdf.paragraph(
        f"Référence du bail : {lease.external_ref or lease.id}. Ce document résume le bail "
        "signé par les parties ; seul l'original signé fait foi."
    )
    _parties_section(pdf, premises=premises, letterhead=letterhead)
    pdf.heading("Désignation des locaux")
    pdf.key_values([("Adresse", premises.address), ("Lot", premises.lot_description())])
    pdf.heading("Durée")
    pdf.key_values(
        [
            ("Prise d'effet", format_date(lease.start_date)),
            ("Durée", LEASE_DURATIONS.get(LeaseKind(lease.kind), "")),
            ("Fin du bail", format_date(lease.end_date) if lease.end_date else "En cours"),
        ]
    )
    _money_section(pdf, lease=lease)
    pdf.signature_block(place="Lyon", date_text=format_date(issued_on), signer=letterhead.name)
    return pdf.to_bytes()


def _parties_section(pdf: AgencyDocument, *, premises: LeasedPremises, letterhead: Letterhead):
    pdf.heading("Les parties")
    landlord = ", ".join(owner.full_name for owner in premises.owners) or "Le bailleur"
    pdf.key_values(
        [
            ("Bailleur", f"{landlord}, représenté par {letterhead.name}, mandataire de gestion"),
            ("Locataire(s)", premises.tenant_names),
        ]
    )


def _money_section(pdf: AgencyDocument, *, lease: Lease) -> None:
    pdf.heading("Conditions financières")
    rows = [
        ("Loyer mensuel hors charges", format_euros(lease.rent_cents)),
        ("Provision mensuelle sur charges", format_euros(lease.charges_cents)),
        ("Total mensuel", format_euros(lease.rent_cents + lease.charges_cents)),
        ("Dépôt de garantie", format_euros(lease.deposit_cents)),
        ("Échéance", f"payable d'avance le {lease.due_day} de chaque mois"),
        ("Référence de virement", lease.payment_reference),
    ]
    if lease.next_revision_date:
        revision = (
            f"annuelle selon l'IRL ; prochaine révision le {format_date(lease.next_revision_date)}"
        )
        rows.append(("Révision du loyer", revision))
    pdf.key_values(rows)
    pdf.paragraph(
        "Le locataire s'engage à s'assurer contre les risques locatifs et à en justifier chaque "
        "année. Les quittances de loyer sont délivrées gratuitement "
        f"({LAW_1989}, art. 21)."
    )


def render_inventory(
    *,
    letterhead: Letterhead,
    premises: LeasedPremises,
    is_move_in: bool,
    done_on: date,
    rooms: Sequence[InventoryRoom],
    meters: Sequence[tuple[str, str]],
    keys_count: int,
) -> bytes:
    """An état des lieux d'entrée or de sortie, room by room, with meter readings."""
    moment = "d'entrée" if is_move_in else "de sortie"
    pdf = AgencyDocument(letterhead=letterhead, title=f"État des lieux {moment}")
    pdf.key_values(
        [
            ("Bail", premises.lease.external_ref or str(premises.lease.id)),
            ("Adresse", premises.address),
            ("Lot", premises.lot_description()),
            ("Locataire(s)", premises.tenant_names),
            ("Date", format_date(done_on)),
        ]
    )
    pdf.heading("Pièces")
    pdf.data_table(
        headings=("Pièce", "État", "Observations"),
        rows=[(room.name, room.condition, room.remarks or "—") for room in rooms],
    )
    pdf.heading("Relevés de compteurs et clés")
    pdf.key_values([*meters, ("Clés remises", str(keys_count))])
    pdf.paragraph(
        "Établi contradictoirement entre les parties, en autant d'exemplaires que de parties "
        f"({LAW_1989}, art. 3-2). Le locataire peut demander à le compléter dans les dix jours."
    )
    pdf.signature_block(place="Lyon", date_text=format_date(done_on), signer=letterhead.name)
    return pdf.to_bytes()


def render_tenancy_certificate(
    *, letterhead: Letterhead, premises: LeasedPremises, issued_on: date
) -> bytes:
    """An attestation de location: who rents what since when, for which rent."""
    lease = premises.lease
    pdf = AgencyDocument(letterhead=letterhead, title="Attestation de location")
    pdf.paragraph(
        f"Je soussigné(e), représentant l'agence {letterhead.name}, agissant en qualité de "
        f"mandataire de gestion du bailleur, atteste que {premises.tenant_names} occupe(nt) en "
        f"qualité de locataire(s), depuis le {format_date(lease.start_date)}, les locaux suivants :"
    )
    pdf.key_values([("Adresse", premises.address), ("Lot", premises.lot_description())])
    pdf.paragraph(
        f"Le loyer mensuel s'élève à {format_euros(lease.rent_cents)} hors charges, auquel "
        f"s'ajoute une provision sur charges de {format_euros(lease.charges_cents)}."
    )
    pdf.paragraph(
        "Attestation délivrée à la demande de l'intéressé(e) pour servir et valoir ce que de droit."
    )
    pdf.signature_block(place="Lyon", date_text=format_date(issued_on), signer=letterhead.name)
    return pdf.to_bytes()
