"""The shared page layout of every PDF: agency header, title, paragraphs, tables, page footer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from extranet_app.models import AgencySettings, Lot, LotKind

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
# Core PDF fonts are latin-1 only; DejaVu Sans (committed, Latin subset: see fonts/README.md)
# covers €, œ, « », ….
FONT_FAMILY = "DejaVu"
LOT_KIND_LABELS = {
    LotKind.APARTMENT: "Appartement",
    LotKind.HOUSE: "Maison",
    LotKind.PARKING: "Parking",
    LotKind.CELLAR: "Cave",
    LotKind.SHOP: "Local commercial",
    LotKind.OFFICE: "Bureau",
}
BODY_SIZE = 10
PRIMARY_RGB = (31, 78, 121)
MUTED_RGB = (90, 90, 90)
LABEL_STYLE = FontFace(emphasis="BOLD")
TABLE_HEADING = FontFace(emphasis="BOLD", color=PRIMARY_RGB, fill_color=(232, 238, 245))


@dataclass(frozen=True)
class Letterhead:
    """The agency identity a PDF prints in its header and footer (loi Hoguet mentions included)."""

    name: str
    address_lines: tuple[str, ...]
    phone: str = ""
    email: str = ""
    siret: str = ""
    professional_card: str = ""
    professional_card_issuer: str = ""
    financial_guarantee: str = ""


def letterhead_from(agency: AgencySettings) -> Letterhead:
    """The identity printed on documents, taken from the agency settings row."""
    city_line = f"{agency.postal_code} {agency.city}".strip()
    lines = (agency.address_line1, agency.address_line2, city_line)
    return Letterhead(
        name=agency.name,
        address_lines=tuple(line for line in lines if line),
        phone=agency.phone,
        email=agency.email,
        siret=agency.siret,
        professional_card=agency.professional_card,
        professional_card_issuer=agency.professional_card_issuer,
        financial_guarantee=agency.financial_guarantee,
    )


def lot_label(lot: Lot) -> str:
    """A lot as people name it: "Appartement A12", "Parking 4" (never "Parking Parking 4")."""
    kind = LOT_KIND_LABELS.get(lot.kind, lot.kind.capitalize())
    if lot.reference.lower().startswith(lot.kind):
        return lot.reference
    return f"{kind} {lot.reference}"


def postal_lines(*parts: str) -> str:
    """Non-empty address parts joined on separate lines."""
    return "\n".join(part for part in parts if part)


class AgencyDocument(FPDF):
    """An A4 page with the agency's letterhead and a numbered footer."""

    def __init__(self, *, letterhead: Letterhead, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.letterhead = letterhead
        self.set_title(title)
        self.set_author(letterhead.name)
        self.set_creator("Extranet")
        self.add_font(FONT_FAMILY, "", FONTS_DIR / "DejaVuSans-Latin.ttf")
        self.add_font(FONT_FAMILY, "B", FONTS_DIR / "DejaVuSans-Bold-Latin.ttf")
        self.set_margins(left=18, top=15, right=18)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()
        self.add_page()
        self.document_title(title)

    def header(self) -> None:
        self.set_font(FONT_FAMILY, "B", 13)
        self.set_text_color(*PRIMARY_RGB)
        self.cell(0, 6, self.letterhead.name, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT_FAMILY, "", 8)
        self.set_text_color(*MUTED_RGB)
        contact = " · ".join(
            part for part in (self.letterhead.phone, self.letterhead.email) if part
        )
        for line in (*self.letterhead.address_lines, contact):
            if line:
                self.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*PRIMARY_RGB)
        self.line(self.l_margin, self.get_y() + 2, self.w - self.r_margin, self.get_y() + 2)
        self.ln(6)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-18)
        self.set_font(FONT_FAMILY, "", 7)
        self.set_text_color(*MUTED_RGB)
        self.multi_cell(0, 3.5, self._legal_mentions(), align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, f"Page {self.page_no()}/{{nb}}", align="C")

    def _legal_mentions(self) -> str:
        letterhead = self.letterhead
        parts = [letterhead.name]
        if letterhead.siret:
            parts.append(f"SIRET {letterhead.siret}")
        if letterhead.professional_card:
            issuer = f" délivrée par la {letterhead.professional_card_issuer}"
            parts.append(
                f"Carte professionnelle {letterhead.professional_card}"
                + (issuer if letterhead.professional_card_issuer else "")
            )
        if letterhead.financial_guarantee:
            parts.append(f"Garantie financière : {letterhead.financial_guarantee}")
        return " · ".join(parts)

    def document_title(self, text: str) -> None:
        """The big title at the top of the first page."""
        self.set_font(FONT_FAMILY, "B", 16)
        self.set_text_color(*PRIMARY_RGB)
        self.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def heading(self, text: str) -> None:
        """A section heading."""
        self.ln(2)
        self.set_font(FONT_FAMILY, "B", 11)
        self.set_text_color(*PRIMARY_RGB)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def paragraph(self, text: str) -> None:
        """A justified paragraph of body text."""
        self.set_font(FONT_FAMILY, "", BODY_SIZE)
        self.multi_cell(0, 5, text, align="J", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def bullets(self, items: Sequence[str]) -> None:
        """A bulleted list."""
        self.set_font(FONT_FAMILY, "", BODY_SIZE)
        for item in items:
            self.set_x(self.l_margin + 4)
            self.multi_cell(0, 5, f"•  {item}", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def key_values(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label / value pairs, labels in bold in a left column."""
        self.set_font(FONT_FAMILY, "", BODY_SIZE)
        with self.table(
            borders_layout="NONE",
            col_widths=(62, self.epw - 62),
            first_row_as_headings=False,
            line_height=5.5,
            padding=(0.4, 0),
            text_align="LEFT",
            v_align="TOP",
        ) as pdf_table:
            for label, value in rows:
                row = pdf_table.row()
                row.cell(label, style=LABEL_STYLE)
                row.cell(value or "—")
        self.ln(2)

    def data_table(
        self,
        *,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float] | None = None,
    ) -> None:
        """A simple bordered table with a shaded heading row (`col_widths` are proportions)."""
        self.set_font(FONT_FAMILY, "", 9)
        self.set_draw_color(180, 180, 180)
        with self.table(
            headings_style=TABLE_HEADING,
            line_height=5.5,
            padding=1.2,
            first_row_as_headings=True,
            col_widths=tuple(col_widths) if col_widths else None,
        ) as pdf_table:
            for values in (headings, *rows):
                row = pdf_table.row()
                for value in values:
                    row.cell(value)
        self.ln(3)

    def signature_block(self, *, place: str, date_text: str, signer: str) -> None:
        """ "Fait à …, le …" followed by who signs."""
        self.ln(4)
        self.set_font(FONT_FAMILY, "", BODY_SIZE)
        self.cell(0, 5, f"Fait à {place}, le {date_text}", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self.set_font(FONT_FAMILY, "B", BODY_SIZE)
        self.cell(0, 5, signer, new_x="LMARGIN", new_y="NEXT")

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())
