"""Documents about a building or a lot: règlement de copropriété extract, DPE summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extranet_app.models import Lot, Property
from extranet_app.pdf.base import (
    FONT_FAMILY,
    AgencyDocument,
    Letterhead,
    lot_label,
    postal_lines,
)
from extranet_app.services.formatting import format_date

# Thresholds of the DPE since 1 July 2021 (arrêté du 31 mars 2021): upper bound of each class.
ENERGY_THRESHOLDS = ((70, "A"), (110, "B"), (180, "C"), (250, "D"), (330, "E"), (420, "F"))
GHG_THRESHOLDS = ((6, "A"), (11, "B"), (30, "C"), (50, "D"), (70, "E"), (100, "F"))
CLASS_COLOURS = {
    "A": (0, 156, 109),
    "B": (82, 177, 83),
    "C": (120, 189, 118),
    "D": (244, 231, 15),
    "E": (240, 180, 15),
    "F": (235, 130, 53),
    "G": (215, 34, 31),
}
CO_OWNERSHIP_ARTICLES = (
    (
        "Destination de l'immeuble",
        "L'immeuble est destiné à l'habitation bourgeoise. L'exercice d'une profession libérale "
        "est toléré dans les lots d'habitation, à condition de ne pas nuire à la tranquillité "
        "des occupants. Les locaux du rez-de-chaussée sur rue peuvent recevoir un commerce.",
    ),
    (
        "Usage des parties communes",
        "Les halls, escaliers, couloirs et cours doivent rester libres en permanence. Aucun objet "
        "(vélo, poussette, meuble) ne peut y être entreposé en dehors des locaux prévus à cet "
        "effet.",
    ),
    (
        "Tranquillité de l'immeuble",
        "Les occupants veillent à ne troubler en aucune façon la tranquillité des autres "
        "occupants, notamment entre 22 h et 7 h. Les travaux bruyants sont autorisés en semaine "
        "de 8 h à 19 h et le samedi de 9 h à 12 h.",
    ),
    (
        "Ordures ménagères et tri",
        "Les déchets sont déposés dans les conteneurs du local poubelles, en respectant les "
        "consignes de tri de la Métropole de Lyon. Les encombrants ne doivent jamais y être "
        "laissés.",
    ),
    (
        "Animaux",
        "Les animaux domestiques sont admis sous la responsabilité de leurs propriétaires ; ils "
        "ne doivent causer ni dégradation ni nuisance dans les parties communes.",
    ),
    (
        "Travaux dans les parties privatives",
        "Tout travail affectant les parties communes, l'aspect extérieur ou la structure de "
        "l'immeuble est soumis à l'autorisation préalable de l'assemblée générale des "
        "copropriétaires (loi n°\u00a065-557 du 10 juillet 1965, art. 25).",
    ),
)


@dataclass(frozen=True)
class EnergyDiagnostic:
    """The measures of a diagnostic de performance énergétique (per m² and per year)."""

    performed_on: date
    energy_kwh_m2: int
    ghg_kg_m2: int
    diagnostician: str
    certification: str

    @property
    def energy_class(self) -> str:
        """The DPE class: the worse of the energy class and the greenhouse-gas class."""
        return max(_class_of(self.energy_kwh_m2, ENERGY_THRESHOLDS), self.ghg_class)

    @property
    def ghg_class(self) -> str:
        return _class_of(self.ghg_kg_m2, GHG_THRESHOLDS)

    @property
    def valid_until(self) -> date:
        # A DPE is valid ten years.
        performed = self.performed_on
        day = 28 if (performed.month, performed.day) == (2, 29) else performed.day
        return performed.replace(year=performed.year + 10, day=day)


def _class_of(value: int, thresholds: tuple[tuple[int, str], ...]) -> str:
    for upper_bound, letter in thresholds:
        if value <= upper_bound:
            return letter
    return "G"


def render_co_ownership_rules_extract(
    *, letterhead: Letterhead, building: Property, established_on: date, notary: str
) -> bytes:
    """An extract of the règlement de copropriété: the articles that bind every occupant."""
    pdf = AgencyDocument(letterhead=letterhead, title="Règlement de copropriété — extrait")
    pdf.key_values(
        [
            ("Immeuble", building.name),
            (
                "Adresse",
                postal_lines(building.address_line1, f"{building.postal_code} {building.city}"),
            ),
            ("Établi le", f"{format_date(established_on)} par {notary}"),
        ]
    )
    pdf.paragraph(
        "Extrait remis à titre d'information. Ces dispositions s'imposent aux copropriétaires "
        "comme aux occupants (loi n°\u00a065-557 du 10 juillet 1965, art. 8 et 9)."
    )
    for number, (heading, text) in enumerate(CO_OWNERSHIP_ARTICLES, start=1):
        pdf.heading(f"Article {number} — {heading}")
        pdf.paragraph(text)
    return pdf.to_bytes()


def render_energy_diagnostic(
    *, letterhead: Letterhead, lot: Lot, building: Property, diagnostic: EnergyDiagnostic
) -> bytes:
    """A summary of the lot's DPE: the energy scale with its class, measures and validity."""
    pdf = AgencyDocument(
        letterhead=letterhead, title="Diagnostic de performance énergétique — synthèse"
    )
    pdf.key_values(
        [
            ("Logement", f"{lot_label(lot)}, {building.name}"),
            (
                "Adresse",
                postal_lines(building.address_line1, f"{building.postal_code} {building.city}"),
            ),
            ("Réalisé le", format_date(diagnostic.performed_on)),
            ("Valable jusqu'au", format_date(diagnostic.valid_until)),
            (
                "Diagnostiqueur",
                f"{diagnostic.diagnostician} (certification {diagnostic.certification})",
            ),
        ]
    )
    pdf.heading(f"Classe énergétique : {diagnostic.energy_class}")
    _draw_scale(pdf, current=diagnostic.energy_class)
    pdf.key_values(
        [
            ("Consommation d'énergie", f"{diagnostic.energy_kwh_m2} kWh/m²/an"),
            ("Émissions de gaz à effet de serre", f"{diagnostic.ghg_kg_m2} kg CO₂/m²/an"),
            ("Classe climat", diagnostic.ghg_class),
        ]
    )
    pdf.paragraph(
        "Depuis le 1er janvier 2025, un logement classé G ne peut plus être proposé à la "
        "location (loi Climat et résilience du 22 août 2021)."
    )
    return pdf.to_bytes()


def _draw_scale(pdf: AgencyDocument, *, current: str) -> None:
    x, y = pdf.l_margin, pdf.get_y()
    for index, letter in enumerate("ABCDEFG"):
        width = 30 + index * 10
        pdf.set_fill_color(*CLASS_COLOURS[letter])
        pdf.rect(x, y + index * 7, width, 6, style="F")
        pdf.set_xy(x + 2, y + index * 7)
        pdf.set_font(FONT_FAMILY, "B", 10)
        pdf.cell(10, 6, letter)
        if letter == current:
            pdf.set_xy(x + width + 3, y + index * 7)
            pdf.cell(40, 6, "◀ ce logement")
    pdf.set_xy(x, y + 7 * 7 + 3)
