"""Avis d'échéance (a period's rent call) and the other invoices to tenants, as PDFs.

Both are issued with the call and never change: they state what is called and how to pay, not
what has been paid since (the Facturations page shows that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from extranet_app.pdf.receipts import (
    FREE_OF_CHARGE,
    Issue,
    LeaseParties,
    PeriodAmounts,
    RentDocument,
    period_label,
)
from extranet_app.services.formatting import format_date, format_euros


@dataclass(frozen=True)
class PaymentInstructions:
    """Where to pay and what to quote."""

    beneficiary: str
    iban: str
    bic: str
    reference: str


def _payment_section(pdf: RentDocument, *, due_date: date, payment: PaymentInstructions) -> None:
    pdf.heading("Règlement")
    pdf.key_values(
        [
            ("À payer au plus tard le", format_date(due_date)),
            ("Bénéficiaire", payment.beneficiary),
            ("IBAN", payment.iban),
            ("BIC", payment.bic),
            ("Référence à indiquer", payment.reference),
        ]
    )


def render_rent_notice(
    *,
    issue: Issue,
    parties: LeaseParties,
    amounts: PeriodAmounts,
    due_date: date,
    payment: PaymentInstructions,
) -> bytes:
    """The avis d'échéance of a period: rent, charges and other sums called, and how to pay."""
    pdf = RentDocument(letterhead=issue.letterhead, title="Avis d'échéance")
    pdf.paragraph(f"Période : {period_label(amounts)}")
    pdf.parties(issue=issue, parties=parties)
    pdf.heading("Sommes appelées")
    pdf.amounts_table(amounts, total_label="Total à payer")
    _payment_section(pdf, due_date=due_date, payment=payment)
    pdf.mention(
        "Cet avis d'échéance n'est pas une quittance : la quittance est délivrée une fois la "
        "période entièrement payée."
    )
    pdf.mention(FREE_OF_CHARGE)
    pdf.signature_block(
        place=issue.place, date_text=format_date(issue.issued_on), signer=issue.letterhead.name
    )
    return pdf.to_bytes()


def render_invoice(
    *,
    issue: Issue,
    parties: LeaseParties,
    title: str,
    lines: Sequence[tuple[str, int]],
    due_date: date,
    payment: PaymentInstructions,
) -> bytes:
    """Another invoice to the tenants of a lease (charges reconciliation, repairs charged)."""
    pdf = RentDocument(letterhead=issue.letterhead, title=f"Facture — {title}")
    pdf.paragraph(f"Date d'émission : {format_date(issue.issued_on)}")
    pdf.parties(issue=issue, parties=parties)
    pdf.heading("Détail")
    total = sum(amount for _, amount in lines)
    pdf.money_lines(
        [(label, format_euros(amount)) for label, amount in lines],
        total=("Total à payer", format_euros(total)),
    )
    _payment_section(pdf, due_date=due_date, payment=payment)
    pdf.signature_block(
        place=issue.place, date_text=format_date(issue.issued_on), signer=issue.letterhead.name
    )
    return pdf.to_bytes()
