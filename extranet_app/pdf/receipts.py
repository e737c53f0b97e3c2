"""Quittance de loyer, reçu de paiement partiel and the yearly summary of a lease's rents.

The quittance prints every mention of art. 21 of loi n° 89-462: the landlord and the agency
acting as his mandataire (with its identity), the tenants, the address of the lot, the period,
the rent and the charges separately, any other sum, the total, the payment dates, the word
"quittance", and where and when it was issued. A reçu acknowledges a partial payment and says
that it is not a quittance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from extranet_app.pdf.base import (
    BODY_SIZE,
    FONT_FAMILY,
    MUTED_RGB,
    PRIMARY_RGB,
    AgencyDocument,
    Letterhead,
)
from extranet_app.pdf.font_cache import CachedFontsMixin
from extranet_app.pdf.lease_documents import LAW_1989
from extranet_app.services.formatting import format_date, format_euros, format_month

FREE_OF_CHARGE = (
    f"Document délivré gratuitement ({LAW_1989} du 6 juillet 1989, art. 21) : aucun frais ne "
    "peut être réclamé au locataire pour son établissement ou son envoi."
)


@dataclass(frozen=True)
class LeaseParties:
    """Who a rent document names, and what is let: the same on every document of a lease."""

    landlords: tuple[str, ...]
    tenants: tuple[str, ...]
    premises: str  # "Appartement A12, 2e étage, 48,5 m², 2 pièces"
    address: str  # the building's postal address, one line per part
    lease_reference: str = ""


@dataclass(frozen=True)
class PeriodAmounts:
    """One period's sums as called: rent and charges apart, then any other sum."""

    period_start: date
    period_end: date
    rent_cents: int
    charges_cents: int
    other_sums: tuple[tuple[str, int], ...] = ()

    @property
    def total_cents(self) -> int:
        return self.rent_cents + self.charges_cents + sum(amount for _, amount in self.other_sums)

    @property
    def other_cents(self) -> int:
        return sum(amount for _, amount in self.other_sums)


@dataclass(frozen=True)
class PaymentLine:
    """Money applied to a period: when it was paid, and how much of it went to the period."""

    paid_on: date
    amount_cents: int


@dataclass(frozen=True)
class Issue:
    """Where, when and by whom a document is issued."""

    letterhead: Letterhead
    place: str
    issued_on: date


@dataclass(frozen=True)
class SummaryPeriod:
    """One line of the yearly summary."""

    amounts: PeriodAmounts
    payments: tuple[PaymentLine, ...]

    @property
    def paid_cents(self) -> int:
        return sum(payment.amount_cents for payment in self.payments)


class RentDocument(CachedFontsMixin, AgencyDocument):
    """The agency's page layout, made fast enough for quittances issued by the hundred.

    fpdf2's multi_cell measures a line again for every character it adds (quadratic): these
    methods wrap words themselves, measuring each word once, and print lines with cell().
    """

    def _width(self, text: str) -> float:
        return self.current_font.get_text_width(text, self.font_size_pt, None)[1] / self.k

    def wrap(self, text: str, width: float) -> list[str]:
        """`text` cut into lines no wider than `width` (mm), at spaces and line breaks."""
        space, lines = self._width(" "), []
        for paragraph in text.split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = self._width(word)
                if not line:
                    line, line_width = word, word_width
                elif line_width + space + word_width > width:
                    lines.append(line)
                    line, line_width = word, word_width
                else:
                    line, line_width = f"{line} {word}", line_width + space + word_width
            lines.append(line)
        return lines

    def text_lines(self, text: str, *, height: float, align: str = "L", x: float | None = None):
        """Print `text` wrapped to the space right of `x` (the left margin by default)."""
        left = self.l_margin if x is None else x
        width = self.w - self.r_margin - left
        for line in self.wrap(text, width - 2 * self.c_margin):
            self.set_x(left)
            self.cell(width, height, line, align=align, new_x="LMARGIN", new_y="NEXT")

    def document_title(self, text: str) -> None:
        self.set_font(FONT_FAMILY, "B", 16)
        self.set_text_color(*PRIMARY_RGB)
        self.text_lines(text, height=8)
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT_FAMILY, "B", 11)
        self.set_text_color(*PRIMARY_RGB)
        self.text_lines(text, height=6)
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def paragraph(self, text: str) -> None:
        self.set_font(FONT_FAMILY, "", BODY_SIZE)
        self.text_lines(text, height=5)
        self.ln(2)

    def grid(self, *, headings: Sequence[str], rows: Sequence[Sequence[str]], widths) -> None:
        """A compact table of single-line cells (`widths` are proportions of the page width);
        the last row, a total, in bold."""
        scale = self.epw / sum(widths)
        self.set_draw_color(180, 180, 180)
        self.set_font(FONT_FAMILY, "B", 8.5)
        self.set_text_color(*PRIMARY_RGB)
        self.set_fill_color(232, 238, 245)
        for heading, width in zip(headings, widths, strict=True):
            self.cell(width * scale, 6, heading, border=1, fill=True)
        self.ln(6)
        self.set_text_color(0, 0, 0)
        for index, values in enumerate(rows):
            self.set_font(FONT_FAMILY, "B" if index == len(rows) - 1 else "", 8.5)
            for position, (value, width) in enumerate(zip(values, widths, strict=True)):
                align = "R" if 0 < position < len(values) - 1 else "L"
                self.cell(width * scale, 6, value, border=1, align=align)
            self.ln(6)
        self.ln(3)

    def mention(self, text: str) -> None:
        """A legal mention in small print."""
        self.set_font(FONT_FAMILY, "", 8)
        self.text_lines(text, height=4)
        self.ln(1)

    def key_values(self, rows: Sequence[tuple[str, str]]) -> None:
        label_width = 50
        for label, value in rows:
            top = self.get_y()
            self.set_font(FONT_FAMILY, "B", BODY_SIZE)
            for line in self.wrap(label, label_width - 2 * self.c_margin):
                self.cell(label_width, 5.5, line, new_x="LMARGIN", new_y="NEXT")
            below_label = self.get_y()
            self.set_y(top)
            self.set_font(FONT_FAMILY, "", BODY_SIZE)
            self.text_lines(value or "—", height=5.5, x=self.l_margin + label_width)
            self.set_y(max(self.get_y(), below_label) + 0.8)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-18)
        self.set_font(FONT_FAMILY, "", 7)
        self.set_text_color(*MUTED_RGB)
        self.text_lines(self._legal_mentions(), height=3.5, align="C")
        self.cell(0, 4, f"Page {self.page_no()}/{{nb}}", align="C")

    def parties(self, *, issue: Issue, parties: LeaseParties) -> None:
        """Landlord (through the agency, his mandataire), tenants, and the premises."""
        agency = issue.letterhead
        agency_identity = ", ".join((agency.name, *agency.address_lines))
        if agency.professional_card:
            agency_identity += f", carte professionnelle {agency.professional_card}"
        rows = [
            ("Bailleur", ", ".join(parties.landlords) or "Le bailleur"),
            ("Mandataire du bailleur", agency_identity),
            ("Locataire(s)", ", ".join(parties.tenants)),
            ("Adresse du logement", f"{parties.premises}\n{parties.address}"),
        ]
        if parties.lease_reference:
            rows.append(("Référence du bail", parties.lease_reference))
        self.key_values(rows)

    def amounts_table(self, amounts: PeriodAmounts, *, total_label: str) -> None:
        """Rent, charges and other sums on separate lines, then the total."""
        rows = [
            ("Loyer (hors charges)", format_euros(amounts.rent_cents)),
            ("Provision pour charges", format_euros(amounts.charges_cents)),
            *((label, format_euros(amount)) for label, amount in amounts.other_sums),
        ]
        self.money_lines(rows, total=(total_label, format_euros(amounts.total_cents)))

    def money_lines(self, rows: Sequence[tuple[str, str]], *, total: tuple[str, str]) -> None:
        """A two-column table of sums, the total in bold."""
        label_width = self.epw - 45
        self.set_draw_color(180, 180, 180)
        for index, (label, amount) in enumerate([*rows, total]):
            self.set_font(FONT_FAMILY, "B" if index == len(rows) else "", BODY_SIZE)
            self.cell(label_width, 7, label, border=1, new_x="RIGHT", new_y="TOP")
            self.cell(45, 7, amount, border=1, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)


def period_label(amounts: PeriodAmounts) -> str:
    """ "du 01/03/2026 au 31/03/2026 (mars 2026)"."""
    start, end = format_date(amounts.period_start), format_date(amounts.period_end)
    return f"du {start} au {end} ({format_month(amounts.period_start)})"


def payment_dates(payments: Sequence[PaymentLine]) -> str:
    """ "05/03/2026 (500,00 €), 12/03/2026 (230,00 €)"."""
    return ", ".join(f"{format_date(p.paid_on)} ({format_euros(p.amount_cents)})" for p in payments)


def _landlord_clause(issue: Issue, parties: LeaseParties) -> str:
    landlords = ", ".join(parties.landlords) or "le bailleur"
    return (
        f"{issue.letterhead.name}, agissant en qualité de mandataire de gestion de {landlords}, "
        "bailleur"
    )


def render_rent_receipt(
    *,
    issue: Issue,
    parties: LeaseParties,
    amounts: PeriodAmounts,
    payments: Sequence[PaymentLine],
) -> bytes:
    """The quittance de loyer of a fully paid period."""
    period = period_label(amounts)
    pdf = RentDocument(letterhead=issue.letterhead, title="Quittance de loyer")
    pdf.paragraph(f"Période : {period}")
    pdf.parties(issue=issue, parties=parties)
    pdf.heading("Détail des sommes réglées")
    pdf.amounts_table(amounts, total_label="Total réglé")
    pdf.paragraph(f"Date(s) de paiement : {payment_dates(payments)}")
    pdf.paragraph(
        f"Je soussigné(e), {_landlord_clause(issue, parties)}, déclare avoir reçu de "
        f"{', '.join(parties.tenants)} la somme de {format_euros(amounts.total_cents)} au titre "
        f"du loyer et des charges de la période {period}, et lui en donne quittance, sous "
        "réserve de tous mes droits."
    )
    pdf.mention(
        "Cette quittance annule tout reçu délivré pour la même période. Le paiement de la "
        "présente période ne présume pas du paiement des périodes antérieures."
    )
    pdf.mention(FREE_OF_CHARGE)
    pdf.signature_block(
        place=issue.place, date_text=format_date(issue.issued_on), signer=issue.letterhead.name
    )
    return pdf.to_bytes()


def render_payment_acknowledgement(
    *,
    issue: Issue,
    parties: LeaseParties,
    amounts: PeriodAmounts,
    payments: Sequence[PaymentLine],
) -> bytes:
    """The reçu of a partly paid period: what was received, what remains; never a quittance."""
    period = period_label(amounts)
    received = sum(payment.amount_cents for payment in payments)
    remaining = amounts.total_cents - received
    pdf = RentDocument(letterhead=issue.letterhead, title="Reçu de paiement partiel")
    pdf.paragraph(f"Période : {period}")
    pdf.parties(issue=issue, parties=parties)
    pdf.heading("Sommes appelées pour la période")
    pdf.amounts_table(amounts, total_label="Total appelé")
    pdf.money_lines(
        [("Montant reçu", format_euros(received))],
        total=("Reste à payer", format_euros(remaining)),
    )
    pdf.paragraph(f"Date(s) de paiement : {payment_dates(payments)}")
    pdf.paragraph(
        f"{_landlord_clause(issue, parties)}, reconnaît avoir reçu de "
        f"{', '.join(parties.tenants)} la somme de {format_euros(received)} en paiement partiel "
        f"de la période {period}. Il reste {format_euros(remaining)} à payer."
    )
    pdf.mention(
        "Ce reçu n'est pas une quittance : la quittance de loyer sera délivrée lorsque la "
        "période aura été entièrement payée."
    )
    pdf.mention(FREE_OF_CHARGE)
    pdf.signature_block(
        place=issue.place, date_text=format_date(issue.issued_on), signer=issue.letterhead.name
    )
    return pdf.to_bytes()


def _summary_row(line: SummaryPeriod) -> tuple[str, ...]:
    amounts = line.amounts
    # A single-line cell: the last payment, and how many came before (the quittance lists them).
    dates = format_date(line.payments[-1].paid_on) if line.payments else ""
    if len(line.payments) > 1:
        dates += f" (+{len(line.payments) - 1})"
    return (
        format_month(amounts.period_start),
        format_euros(amounts.rent_cents),
        format_euros(amounts.charges_cents),
        format_euros(amounts.other_cents),
        format_euros(amounts.total_cents),
        format_euros(line.paid_cents),
        dates or "—",
    )


def summary_totals(periods: Sequence[SummaryPeriod]) -> dict[str, int]:
    """The yearly sums: rent, charges, other sums, called, paid and remaining (cents)."""
    totals = {
        "rent": sum(p.amounts.rent_cents for p in periods),
        "charges": sum(p.amounts.charges_cents for p in periods),
        "other": sum(p.amounts.other_cents for p in periods),
        "called": sum(p.amounts.total_cents for p in periods),
        "paid": sum(p.paid_cents for p in periods),
    }
    totals["remaining"] = totals["called"] - totals["paid"]
    return totals


def render_yearly_summary(
    *, issue: Issue, parties: LeaseParties, year: int, periods: Sequence[SummaryPeriod]
) -> bytes:
    """The récapitulatif annuel: each period of `year`, what was called and paid, and totals."""
    totals = summary_totals(periods)
    pdf = RentDocument(letterhead=issue.letterhead, title=f"Récapitulatif annuel des loyers {year}")
    pdf.parties(issue=issue, parties=parties)
    pdf.heading("Périodes")
    total_row = ("Total", *(format_euros(totals[key]) for key in ("rent", "charges", "other")))
    total_row += (format_euros(totals["called"]), format_euros(totals["paid"]), "")
    pdf.grid(
        headings=("Période", "Loyer", "Charges", "Autres", "Appelé", "Réglé", "Dernier paiement"),
        rows=[*(_summary_row(line) for line in periods), total_row],
        widths=(19, 13, 12, 11, 13, 13, 21),
    )
    pdf.money_lines(
        [
            ("Total appelé (loyers, charges et autres sommes)", format_euros(totals["called"])),
            ("Total réglé", format_euros(totals["paid"])),
        ],
        total=("Reste à payer", format_euros(totals["remaining"])),
    )
    pdf.mention(
        f"Récapitulatif établi d'après les paiements enregistrés au {format_date(issue.issued_on)}."
        " Il ne remplace pas les quittances, délivrées pour chaque période entièrement payée."
    )
    pdf.mention(FREE_OF_CHARGE)
    pdf.signature_block(
        place=issue.place, date_text=format_date(issue.issued_on), signer=issue.letterhead.name
    )
    return pdf.to_bytes()
