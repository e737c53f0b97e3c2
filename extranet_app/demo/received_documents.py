"""Documents the demo owner sent the agency unasked: one still to file, one already filed."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from extranet_app.demo.catalog import OWNER_LOGIN
from extranet_app.demo.world import DemoWorld
from extranet_app.models import Document, DocumentCategory, DocumentSource
from extranet_app.services.storage import store_bytes


def _owner_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A plain one-page PDF, as an owner would scan or export it (no agency letterhead)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.cell(text=title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _sent(*, owner_id: int, data: bytes, filename: str, **fields) -> Document:
    stored = store_bytes(data=data, extension="pdf")
    return Document(
        owner_id=owner_id,
        source=DocumentSource.OWNER,
        storage_key=stored.storage_key,
        original_filename=filename,
        mime_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        **fields,
    )


def create_received_documents(world: DemoWorld) -> None:
    """The demo owner's RIB (to file) and owner's insurance certificate (filed)."""
    owner = next(owner for owner in world.owners if owner.email == OWNER_LOGIN)
    user = world.users_by_email.get(OWNER_LOGIN)
    lots = [plan.lot for plan in world.lot_plans if any(o is owner for o, _ in plan.owners)]
    name = f"{owner.first_name} {owner.last_name}"
    rib = _owner_pdf(
        "Relevé d'identité bancaire",
        [f"Titulaire : {name}", "IBAN : FR76 3000 4000 0500 0012 3456 789", "BIC : BNPAFRPPXXX"],
    )
    insurance = _owner_pdf(
        "Attestation d'assurance propriétaire non occupant",
        [f"Assuré : {name}", f"Bien assuré : lot {lots[0].reference}", "Validité : 12 mois"],
    )
    world.session.add_all(
        [
            _sent(
                owner_id=owner.id,
                data=rib,
                filename="RIB.pdf",
                category=DocumentCategory.BANK_DETAILS,
                title="RIB",
                comment="Nouveau compte bancaire pour les virements des loyers.",
                uploaded_by_id=user.id if user else None,
                created_at=world.days_ago(2, hour=18),
            ),
            _sent(
                owner_id=owner.id,
                data=insurance,
                filename="attestation-pno.pdf",
                category=DocumentCategory.INSURANCE,
                title="Attestation d'assurance PNO",
                lot_id=lots[0].id,
                visible_to_owners=True,
                uploaded_by_id=user.id if user else None,
                created_at=world.days_ago(30, hour=11),
                filed_at=world.days_ago(29, hour=10),
            ),
        ]
    )
