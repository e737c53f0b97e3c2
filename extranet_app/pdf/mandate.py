"""The mandat de gestion: which lots the owner entrusts to the agency, and on what terms."""

from __future__ import annotations

from collections.abc import Sequence

from extranet_app.models import Lot, ManagementMandate, Owner, Property, ReportingPeriod
from extranet_app.pdf.base import AgencyDocument, Letterhead, lot_label, postal_lines
from extranet_app.services.formatting import format_date, format_rate_bp

REPORTING_LABELS = {
    ReportingPeriod.MONTHLY: "chaque mois",
    ReportingPeriod.QUARTERLY: "chaque trimestre",
}
MISSIONS = (
    "rechercher des locataires, rédiger et signer les baux, établir les états des lieux ;",
    "appeler les loyers et charges, délivrer quittances et reçus, poursuivre les impayés ;",
    "réviser les loyers et régulariser les charges chaque année ;",
    "faire exécuter les réparations courantes et régler les factures pour le mandant ;",
    "rendre compte de sa gestion et verser au mandant les sommes qui lui reviennent.",
)


def render_management_mandate(
    *,
    letterhead: Letterhead,
    mandate: ManagementMandate,
    owner: Owner,
    lots: Sequence[tuple[Lot, Property]],
) -> bytes:
    """The mandate's essential terms (loi n° 70-9 « Hoguet », décret n° 72-678)."""
    pdf = AgencyDocument(letterhead=letterhead, title=f"Mandat de gestion n° {mandate.number}")
    owner_address = postal_lines(owner.address_line1, f"{owner.postal_code} {owner.city}")
    pdf.heading("Entre les soussignés")
    pdf.key_values(
        [
            ("Le mandant", f"{owner.full_name}\n{owner_address}"),
            ("Le mandataire", f"{letterhead.name}\n" + "\n".join(letterhead.address_lines)),
            ("Carte professionnelle", _card_text(letterhead)),
            ("Garantie financière", letterhead.financial_guarantee),
        ]
    )
    pdf.heading("Biens confiés en gestion")
    pdf.data_table(
        headings=("Lot", "Immeuble", "Adresse"),
        rows=[
            (lot_label(lot), building.name, f"{building.address_line1}, {building.city}")
            for lot, building in lots
        ],
        col_widths=(3, 3, 4),
    )
    pdf.heading("Missions du mandataire")
    pdf.bullets(MISSIONS)
    _terms_section(pdf, mandate=mandate)
    signed_on = mandate.signed_on or mandate.start_date
    pdf.signature_block(place="Lyon", date_text=format_date(signed_on), signer=letterhead.name)
    return pdf.to_bytes()


def _card_text(letterhead: Letterhead) -> str:
    if letterhead.professional_card_issuer:
        return (
            f"{letterhead.professional_card}, délivrée par la {letterhead.professional_card_issuer}"
        )
    return letterhead.professional_card


def _terms_section(pdf: AgencyDocument, *, mandate: ManagementMandate) -> None:
    fee_incl_vat_bp = mandate.fee_rate_bp * (10_000 + mandate.vat_rate_bp) // 10_000
    vat = format_rate_bp(mandate.vat_rate_bp)
    reporting = REPORTING_LABELS.get(ReportingPeriod(mandate.reporting_period), "")
    pdf.heading("Rémunération, comptes et durée")
    pdf.key_values(
        [
            (
                "Honoraires de gestion",
                f"{format_rate_bp(mandate.fee_rate_bp)} HT des sommes encaissées "
                f"({format_rate_bp(fee_incl_vat_bp)} TTC, TVA {vat})",
            ),
            ("Compte rendu de gestion", reporting),
            ("Prise d'effet", format_date(mandate.start_date)),
            ("Durée", "1 an, renouvelable par tacite reconduction dans la limite de 10 ans"),
        ]
    )
