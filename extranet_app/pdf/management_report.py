"""The compte rendu de gestion of a period, and the yearly summary for the owner's tax return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from extranet_app.pdf.base import (
    BODY_SIZE,
    FONT_FAMILY,
    PRIMARY_RGB,
    AgencyDocument,
    Letterhead,
)
from extranet_app.pdf.font_cache import CachedFontsMixin
from extranet_app.services.formatting import format_date, format_euros, format_rate_bp
from extranet_app.services.report_figures import ReportFigures, ReportLine
from extranet_app.services.report_periods import TRANSFER_DAY

CALLS_HEADINGS = ("Lot", "Part", "Loyers\nappelés", "Charges\nappelées", "Encaissé", "Impayés")
COSTS_HEADINGS = ("Lot", "Encaissé", "Dépenses", "Honoraires\nHT", "TVA", "Net")
YEARLY_HEADINGS = (
    "Lot",
    "Loyers\nencaissés",
    "Charges\nencaissées",
    "Honoraires\nTTC",
    "Dépenses",
)
LINE_HEIGHT = 4.4
PADDING = 1.2
TABLE_SIZE = 8.5
HEADING_FILL = (232, 238, 245)
TOTAL_FILL = (245, 247, 250)
BORDER_RGB = (180, 180, 180)
LABEL_WIDTH = 62


@dataclass(frozen=True)
class ReportHeader:
    """Who the report is for and which publication it is."""

    owner_name: str
    owner_address: str
    published_on: date
    version: int = 1
    replaced_published_on: date | None = None  # the date of the version this one corrects


class ReportDocument(CachedFontsMixin, AgencyDocument):
    """The agency's page layout, with the fonts parsed and subset once per process."""


# Reports are made by the thousand: the tables are drawn cell by cell (fpdf2's table() lays
# out every cell as a paragraph, which made a report cost three times as much).


def _fitted(pdf: AgencyDocument, text: str, width: float) -> str:
    """`text`, shortened with an ellipsis if it is wider than `width`."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _box(pdf: AgencyDocument, x: float, y: float, w: float, h: float, fill) -> None:
    if fill is not None:
        pdf.set_fill_color(*fill)
    pdf.rect(x, y, w, h, style="DF" if fill is not None else "D")


def _text_lines(pdf, x: float, y: float, w: float, lines: Sequence[str], align: str) -> None:
    for index, line in enumerate(lines):
        pdf.set_xy(x + PADDING, y + index * LINE_HEIGHT + 0.4)
        pdf.cell(w - 2 * PADDING, LINE_HEIGHT, _fitted(pdf, line, w - 2 * PADDING), align=align)


def _table_row(pdf, cells: Sequence[Sequence[str]], widths, *, fill=None, bold=False) -> None:
    """One row: each cell a list of lines; the first column left-aligned, the others right."""
    height = max(len(lines) for lines in cells) * LINE_HEIGHT + 0.8
    if pdf.will_page_break(height):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_font(FONT_FAMILY, "B" if bold else "", TABLE_SIZE)
    for column, (lines, width) in enumerate(zip(cells, widths, strict=True)):
        _box(pdf, x, y, width, height, fill)
        _text_lines(pdf, x, y, width, lines, "L" if column == 0 else "R")
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def money_table(
    pdf: AgencyDocument,
    *,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    col_widths: Sequence[float],
) -> None:
    """A table of amounts: lots on the left (the building on a second line), amounts on the
    right, headings shaded, the last row (the totals) in bold."""
    widths = [pdf.epw * width / sum(col_widths) for width in col_widths]
    pdf.set_draw_color(*BORDER_RGB)
    pdf.set_line_width(0.2)
    pdf.set_text_color(*PRIMARY_RGB)
    headings_lines = [heading.split("\n") for heading in headings]
    _table_row(pdf, headings_lines, widths, fill=HEADING_FILL, bold=True)
    pdf.set_text_color(0, 0, 0)
    for index, values in enumerate(rows):
        label, *amounts = values
        cells = [label.split(" — ", 1), *([amount] for amount in amounts)]
        is_total = index == len(rows) - 1
        _table_row(pdf, cells, widths, fill=TOTAL_FILL if is_total else None, bold=is_total)
    pdf.ln(3)


def key_values(pdf: AgencyDocument, rows: Sequence[tuple[str, str]]) -> None:
    """Label / value pairs, labels in bold (single-line values drawn as plain cells)."""
    for label, value in rows:
        if pdf.will_page_break(5.5):
            pdf.add_page()
        pdf.set_font(FONT_FAMILY, "B", BODY_SIZE)
        pdf.cell(LABEL_WIDTH, 5.5, label)
        pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
        if "\n" in value:
            pdf.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(0, 5.5, value or "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _share(line: ReportLine) -> str:
    return f"{line.share_bp / 100:g} %".replace(".", ",")


def _euros(*amounts: int) -> list[str]:
    return [format_euros(amount) for amount in amounts]


def _identity(pdf: AgencyDocument, figures: ReportFigures, header: ReportHeader) -> None:
    rows = [
        ("Mandant", f"{header.owner_name}\n{header.owner_address}".strip()),
        ("Mandat de gestion", f"n° {figures.mandate_number}"),
        ("Période", figures.period.dates),
        ("Publié le", format_date(header.published_on)),
    ]
    if header.version > 1:
        replaced = header.replaced_published_on
        note = f" publiée le {format_date(replaced)}" if replaced else ""
        rows.append(
            (
                "Version",
                f"{header.version} — corrige et remplace la version {header.version - 1}{note}",
            )
        )
    key_values(pdf, rows)


def _calls_table(pdf: AgencyDocument, figures: ReportFigures) -> None:
    rows = [
        [
            line.lot_label,
            _share(line),
            *_euros(line.rents_called, line.charges_called, line.received, line.arrears),
        ]
        for line in figures.lines
    ]
    totals = figures.totals
    rows.append(
        [
            "Total",
            "",
            *_euros(totals.rents_called, totals.charges_called, totals.received, totals.arrears),
        ]
    )
    money_table(pdf, headings=CALLS_HEADINGS, rows=rows, col_widths=(38, 9, 15, 15, 15, 14))


def _costs_table(pdf: AgencyDocument, figures: ReportFigures) -> None:
    rows = [
        [line.lot_label, *_euros(line.received, line.expenses, line.fees, line.fees_vat, line.net)]
        for line in figures.lines
    ]
    totals = figures.totals
    rows.append(
        [
            "Total",
            *_euros(totals.received, totals.expenses, totals.fees, totals.fees_vat, totals.net),
        ]
    )
    money_table(pdf, headings=COSTS_HEADINGS, rows=rows, col_widths=(34, 15, 14, 15, 12, 15))


def transfer_text(figures: ReportFigures) -> str:
    """The sentence on the transfer of the net amount (the agency's rule, and its date)."""
    transfer = figures.period.transfer_date()
    rule = f"le {TRANSFER_DAY} du mois qui suit la période"
    if figures.totals.net > 0 and transfer is not None:
        return (
            f"Le solde net de {format_euros(figures.totals.net)} vous est viré {rule}, "
            f"soit le {format_date(transfer)}."
        )
    if figures.totals.net < 0:
        return (
            f"Le solde est en faveur de l'agence ({format_euros(-figures.totals.net)}) : "
            f"aucun virement pour cette période ; ce montant reste dû par le mandant."
        )
    return f"Aucun solde à virer pour cette période (virements effectués {rule})."


def _summary(pdf: AgencyDocument, figures: ReportFigures) -> None:
    totals = figures.totals
    transfer = figures.period.transfer_date()
    pdf.heading("Récapitulatif")
    key_values(
        pdf,
        [
            ("Loyers appelés", format_euros(totals.rents_called)),
            ("Charges appelées", format_euros(totals.charges_called)),
            ("Sommes encaissées", format_euros(totals.received)),
            ("dont loyers", format_euros(totals.rents_received)),
            ("Impayés en fin de période", format_euros(totals.arrears)),
            ("Dépenses payées pour vous", format_euros(totals.expenses)),
            (
                "Honoraires de gestion HT",
                f"{format_euros(totals.fees)} ({format_rate_bp(figures.fee_rate_bp)} "
                f"des loyers encaissés)",
            ),
            (
                "TVA sur honoraires",
                f"{format_euros(totals.fees_vat)} ({format_rate_bp(figures.vat_rate_bp)})",
            ),
            ("Net en votre faveur", format_euros(totals.net)),
            ("Date du virement", format_date(transfer) if transfer and totals.net > 0 else "—"),
        ],
    )
    pdf.paragraph(transfer_text(figures))


def render_management_report(
    *, letterhead: Letterhead, figures: ReportFigures, header: ReportHeader
) -> bytes:
    """A period's report: per lot, consolidated, the fees, the net and its transfer date."""
    title = f"Compte rendu de gestion — {figures.period.label}"
    pdf = ReportDocument(letterhead=letterhead, title=title)
    _identity(pdf, figures, header)
    pdf.heading("Appels et encaissements par lot")
    _calls_table(pdf, figures)
    pdf.heading("Dépenses, honoraires et net par lot")
    _costs_table(pdf, figures)
    _summary(pdf, figures)
    pdf.paragraph(
        "Les montants sont votre quote-part de chaque lot. Les impayés sont les sommes appelées "
        "échues et non réglées à la fin de la période. Les honoraires sont calculés sur le "
        "total des loyers encaissés, puis répartis entre les lots."
    )
    return pdf.to_bytes()


def render_yearly_summary(
    *, letterhead: Letterhead, figures: ReportFigures, header: ReportHeader
) -> bytes:
    """The yearly summary that helps the owner fill in the revenus fonciers (form 2044)."""
    year = figures.period.start.year
    pdf = ReportDocument(letterhead=letterhead, title=f"Récapitulatif annuel {year}")
    pdf.paragraph(f"Aide à la déclaration des revenus fonciers {year}.")
    _identity(pdf, figures, header)
    pdf.heading("Par lot")
    rows = [_yearly_row(line.lot_label, line) for line in figures.lines]
    rows.append(_yearly_row("Total", figures.totals))
    money_table(pdf, headings=YEARLY_HEADINGS, rows=rows, col_widths=(34, 15, 15, 15, 14))
    totals = figures.totals
    pdf.heading("Montants de l'année")
    key_values(
        pdf,
        [
            ("Loyers bruts encaissés", format_euros(totals.rents_received)),
            ("Charges encaissées", format_euros(totals.received - totals.rents_received)),
            (
                "Frais de gestion (honoraires TTC)",
                format_euros(totals.fees + totals.fees_vat),
            ),
            ("Dépenses payées pour vous", format_euros(totals.expenses)),
            ("Impayés au 31/12", format_euros(totals.arrears)),
        ],
    )
    pdf.paragraph(
        "Sur la déclaration n° 2044, les loyers bruts encaissés vont ligne 211 et les frais "
        "de gestion ligne 221. Les dépenses se déclarent selon leur nature (travaux, "
        "assurance, taxe foncière) : reportez-vous aux factures de votre Porte-documents. "
        "Ce récapitulatif est une aide ; il ne remplace pas votre déclaration."
    )
    return pdf.to_bytes()


def _yearly_row(label: str, line: ReportLine) -> list[str]:
    return [
        label,
        *_euros(
            line.rents_received,
            line.received - line.rents_received,
            line.fees + line.fees_vat,
            line.expenses,
        ),
    ]
