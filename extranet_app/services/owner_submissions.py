"""Envoi de documents: an owner sends documents to the agency on their own initiative.

The files go through the one upload path (checked by content, stored privately, nothing left
behind on failure). Each becomes a Document with source "proprietaire" and the sending owner's
id, and without a document request: the agency finds it in its inbox ("Documents reçus") and
files it; the owner finds it again in "Documents envoyés".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlmodel import Session, col, select

from extranet_app.models import Document, Lot, Ownership, Property
from extranet_app.models.documents import DocumentCategory, DocumentSource
from extranet_app.services.agency_documents import (
    COMMENT_MAX_LENGTH,
    checked_files,
    clean_text,
    parse_category,
)
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_writable
from extranet_app.services.documents import category_label, document_reference
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_date
from extranet_app.services.uploads import CheckedFile, upload_batch

# What owners usually send, in their words (the attestation is the owner's insurance, "PNO").
CATEGORY_CHOICES: dict[str, str] = {
    DocumentCategory.BANK_DETAILS: "RIB",
    DocumentCategory.INSURANCE: "Attestation d'assurance PNO",
    DocumentCategory.DIAGNOSTIC: "Diagnostic",
    DocumentCategory.INVOICE: "Facture",
    DocumentCategory.TAX: "Document fiscal",
    DocumentCategory.CERTIFICATE: "Attestation",
    DocumentCategory.OTHER: "Autre",
}
RECENT_LIMIT = 20


@dataclass(frozen=True)
class OwnerLotChoice:
    """One of the owner's lots, for the form (the ids stay on the server)."""

    lot_id: int
    label: str


@dataclass(frozen=True)
class SentDocumentLine:
    """A document the owner sent, as the page lists it (opaque reference, no id)."""

    reference: str
    title: str
    filename: str
    category_label: str
    lot_label: str
    date: str
    status_label: str


def owner_lots(*, session: Session, user: SessionUser) -> list[OwnerLotChoice]:
    """The lots the user owns, by building and lot number."""
    rows = session.exec(
        select(Lot, Property)
        .join(Property, Property.id == Lot.property_id)
        .where(col(Lot.id).in_(_owned_lot_ids(user)))
        .order_by(Property.name, Lot.reference)
    ).all()
    return [
        OwnerLotChoice(lot.id, f"{building.name} — lot {lot.reference}") for lot, building in rows
    ]


def _owned_lot_ids(user: SessionUser):
    return select(Ownership.lot_id).where(col(Ownership.owner_id).in_(list(user.owner_ids)))


def _sending_owner(*, session: Session, user: SessionUser, lot_id: int | None, ip: str) -> int:
    """The owner profile sending for `lot_id` (None: no particular lot); refused and journaled
    when the lot is not one of the user's."""
    if not user.owner_ids:
        raise AccessDenied("Réservé aux propriétaires.")
    if lot_id is None:
        return user.owner_ids[0]
    owner_id = None
    if type(lot_id) is int:
        owner_id = session.exec(
            select(Ownership.owner_id)
            .where(Ownership.lot_id == lot_id, col(Ownership.owner_id).in_(list(user.owner_ids)))
            .order_by(Ownership.owner_id)
        ).first()
    if owner_id is None:
        record_event(
            session=session,
            action="owner_submission.refused",
            actor_user_id=user.user_id,
            target_type="lot",
            target_id=lot_id if type(lot_id) is int else None,
            allowed=False,
            ip=ip,
        )
        session.commit()
        raise AccessDenied("Ce lot ne fait pas partie de vos biens.")
    return owner_id


def _title(label: str, filename: str, several: bool) -> str:
    return f"{label} – {PurePath(filename).stem}"[:200] if several else label


def send_documents(
    *,
    session: Session,
    user: SessionUser,
    lot_id: int | None,
    category: object,
    comment: object,
    files: Sequence[CheckedFile],
    ip: str = "",
) -> int:
    """Store the owner's checked files for the agency (journaled); returns how many."""
    require_writable(user, session=session)
    owner_id = _sending_owner(session=session, user=user, lot_id=lot_id, ip=ip)
    category = parse_category(category, list(CATEGORY_CHOICES))
    comment = clean_text(comment, limit=COMMENT_MAX_LENGTH, what="Commentaire")
    files = checked_files(files)
    label = CATEGORY_CHOICES[category]
    with upload_batch(session) as batch:
        documents = [
            batch.save(
                checked,
                owner_id=owner_id,
                lot_id=lot_id,
                category=category,
                source=DocumentSource.OWNER,
                title=_title(label, checked.filename, len(files) > 1),
                comment=comment,
                # The agency decides who else may see it when it files it.
                visible_to_tenants=False,
                visible_to_owners=False,
                uploaded_by_id=user.user_id,
            )
            for checked in files
        ]
        record_event(
            session=session,
            action="owner_submission.sent",
            actor_user_id=user.user_id,
            target_type="owner",
            target_id=owner_id,
            ip=ip,
            detail={
                "documents": [document.id for document in documents],
                "lot_id": lot_id,
                "category": category,
            },
        )
        session.commit()
    return len(documents)


def recent_sent_documents(
    *, session: Session, user: SessionUser, limit: int = RECENT_LIMIT
) -> list[SentDocumentLine]:
    """The latest documents the owner sent on their own initiative, newest first."""
    if not user.owner_ids:
        return []
    rows = session.exec(
        select(Document, Lot, Property)
        .outerjoin(Lot, Lot.id == Document.lot_id)
        .outerjoin(Property, Property.id == Lot.property_id)
        .where(
            col(Document.owner_id).in_(list(user.owner_ids)),
            Document.source == DocumentSource.OWNER,
            col(Document.document_request_id).is_(None),
        )
        .order_by(col(Document.created_at).desc(), col(Document.id).desc())
        .limit(max(1, min(limit, 100)))
    ).all()
    return [
        SentDocumentLine(
            reference=document_reference(document.id),
            title=document.title,
            filename=document.original_filename,
            category_label=CATEGORY_CHOICES.get(document.category)
            or category_label(document.category),
            lot_label=f"{building.name} — lot {lot.reference}" if lot and building else "—",
            date=format_date(document.created_at.date()),
            status_label="Classé par l'agence" if document.filed_at else "Reçu par l'agence",
        )
        for document, lot, building in rows
    ]
