"""The rent PDFs and the font cache that makes quittances fast: same bytes as fpdf2 alone."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from fpdf import FPDF

from extranet_app.pdf.base import FONTS_DIR
from extranet_app.pdf.font_cache import CachedFontsMixin, reserve_common_glyphs
from extranet_app.pdf.invoices import PaymentInstructions, render_invoice, render_rent_notice
from extranet_app.pdf.receipts import (
    Issue,
    LeaseParties,
    PaymentLine,
    PeriodAmounts,
    SummaryPeriod,
    render_payment_acknowledgement,
    render_rent_receipt,
    render_yearly_summary,
)
from extranet_app.services.formatting import format_euros
from tests.billing_support import pdf_text
from tests.test_pdf import LETTERHEAD

ISSUE = Issue(letterhead=LETTERHEAD, place="Lyon", issued_on=date(2026, 3, 18))
PARTIES = LeaseParties(
    landlords=("M. Philippe Garnier", "Mme Anne Garnier"),
    tenants=("Mme Chloé Lefèvre-Nguyễn",),
    premises="Appartement A12, étage : 2e, 48,5 m²",
    address="24 rue Vendôme\n69006 Lyon",
    lease_reference="BAIL-0001",
)
MARCH = PeriodAmounts(
    period_start=date(2026, 3, 1),
    period_end=date(2026, 3, 31),
    rent_cents=123_456,
    charges_cents=9_000,
    other_sums=(("Régularisation des charges 2025", 4_200),),
)
PAYMENTS = (PaymentLine(date(2026, 3, 5), 100_000), PaymentLine(date(2026, 3, 9), 36_656))
PAYMENT = PaymentInstructions("Agence Démo Immobilier", "FR76 1234", "AGRIFRPP", "LOY-A12")


class _Cached(CachedFontsMixin, FPDF):
    pass


class _Plain(FPDF):
    """fpdf2 on its own, with the same glyphs reserved as the cache reserves."""

    def add_font(self, family=None, style="", fname=None, **options):
        super().add_font(family, style, fname, **options)
        reserve_common_glyphs(self.fonts[f"{family.lower()}{style}"])


def _sample(document_class: type[FPDF], text: str) -> bytes:
    pdf = document_class()
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_font("DejaVu", "", FONTS_DIR / "DejaVuSans-Latin.ttf")
    pdf.add_font("DejaVu", "B", FONTS_DIR / "DejaVuSans-Bold-Latin.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 5, "Total réglé : 1\u202f234,56\xa0€")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    "text",
    ["Quittance de loyer — Chloé Lefèvre-Nguyễn, œuvre « 12 € »", "ASCII only", "Ωmega 漢"],
)
def test_cached_fonts_write_exactly_what_fpdf2_writes(text: str) -> None:
    expected = _sample(_Plain, text)
    assert _sample(_Cached, text) == expected
    assert _sample(_Cached, text) == expected  # the second time, from the caches


def test_cached_fonts_keep_each_document_to_its_own_glyphs_across_threads() -> None:
    texts = [f"Locataire n° {index} : {'éèêàç' * index}" for index in range(8)]
    results: dict[int, bytes] = {}

    def render(index: int) -> None:
        results[index] = _sample(_Cached, texts[index])

    threads = [threading.Thread(target=render, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, text in enumerate(texts):
        assert results[index] == _sample(_Plain, text)


def test_quittance_text_is_wrapped_and_complete() -> None:
    data = render_rent_receipt(issue=ISSUE, parties=PARTIES, amounts=MARCH, payments=PAYMENTS)
    text = pdf_text(data)
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data
    for expected in (
        "M. Philippe Garnier, Mme Anne Garnier",
        "Mme Chloé Lefèvre-Nguyễn",
        f"Régularisation des charges 2025 {format_euros(4_200)}",
        f"Total réglé {format_euros(136_656)}",
        f"05/03/2026 ({format_euros(100_000)}), 09/03/2026 ({format_euros(36_656)})",
        "BAIL-0001",
        "Page 1/1",
    ):
        assert expected in text, expected


def test_recu_says_what_was_received_and_what_remains() -> None:
    data = render_payment_acknowledgement(
        issue=ISSUE, parties=PARTIES, amounts=MARCH, payments=PAYMENTS[:1]
    )
    text = pdf_text(data)
    assert f"Montant reçu {format_euros(100_000)}" in text
    assert f"Reste à payer {format_euros(36_656)}" in text
    assert "Ce reçu n'est pas une quittance" in text


def test_yearly_summary_fits_a_year_of_periods_with_its_totals() -> None:
    periods = [
        SummaryPeriod(
            amounts=PeriodAmounts(date(2025, month, 1), date(2025, month, 28), 70_000, 9_000),
            payments=(PaymentLine(date(2025, month, 5), 79_000),),
        )
        for month in range(1, 13)
    ]
    text = pdf_text(render_yearly_summary(issue=ISSUE, parties=PARTIES, year=2025, periods=periods))
    assert "janvier 2025" in text and "décembre 2025" in text
    assert f"Total {format_euros(840_000)} {format_euros(108_000)} {format_euros(0)} " in text
    assert f"Total réglé {format_euros(948_000)}" in text
    assert "Page 1/1" in text
    assert f"Reste à payer {format_euros(0)}" in text


def test_rent_notice_and_invoice_say_how_to_pay() -> None:
    notice = pdf_text(
        render_rent_notice(
            issue=ISSUE, parties=PARTIES, amounts=MARCH, due_date=date(2026, 3, 5), payment=PAYMENT
        )
    )
    invoice = pdf_text(
        render_invoice(
            issue=ISSUE,
            parties=PARTIES,
            title="Remplacement du bip du portail",
            lines=[("Remplacement du bip du portail", 3_500)],
            due_date=date(2026, 4, 5),
            payment=PAYMENT,
        )
    )
    for text in (notice, invoice):
        assert "FR76 1234" in text and "LOY-A12" in text
    assert "À payer au plus tard le 05/03/2026" in notice
    assert f"Total à payer {format_euros(3_500)}" in invoice


def test_a_word_longer_than_the_line_is_printed_whole() -> None:
    long_name = "Société-" + "x" * 150
    parties = LeaseParties(("Bailleur",), (long_name,), "Lot 1", "1 rue A\n69001 Lyon")
    text = pdf_text(
        render_rent_receipt(issue=ISSUE, parties=parties, amounts=MARCH, payments=PAYMENTS)
    )
    assert "Quittance de loyer" in text and "Société-xxx" in text
