"""Documents kept in private storage, and the documents the agency asks people to provide."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from extranet_app.models.base import created_at_field, timestamp_field


class DocumentCategory(StrEnum):
    LEASE = "bail"
    INVENTORY = "etat_des_lieux"
    CO_OWNERSHIP_RULES = "reglement_copropriete"
    CERTIFICATE = "attestation"
    RENT_RECEIPT = "quittance"
    PAYMENT_ACKNOWLEDGEMENT = "recu"
    RENT_NOTICE = "avis_echeance"
    INVOICE = "facture"
    MANAGEMENT_REPORT = "rapport_gestion"
    MANDATE = "mandat"
    TAX = "fiscal"
    DIAGNOSTIC = "diagnostic"
    INSURANCE = "assurance"
    IDENTITY = "identite"
    PHOTO = "photo"
    BANK_DETAILS = "rib"  # relevé d'identité bancaire
    OTHER = "autre"


class DocumentSource(StrEnum):
    AGENCY = "agence"
    TENANT = "locataire"
    OWNER = "proprietaire"
    GENERATED = "genere"  # quittances, notices, reports made by the extranet


class DocumentRequestStatus(StrEnum):
    PENDING = "a_fournir"
    SUBMITTED = "envoye"
    ACCEPTED = "accepte"
    REFUSED = "refuse"
    EXPIRED = "expire"


class Document(SQLModel, table=True):
    """A file in private storage, attached to a person, lease, lot or property.

    Exactly what it belongs to decides who may see it, together with the visibility flags.
    """

    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int | None = Field(default=None, foreign_key="tenant.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="owner.id", index=True)
    lease_id: int | None = Field(default=None, foreign_key="lease.id", index=True)
    lot_id: int | None = Field(default=None, foreign_key="lot.id", index=True)
    property_id: int | None = Field(default=None, foreign_key="property.id", index=True)
    rent_call_id: int | None = Field(default=None, foreign_key="rent_call.id", index=True)
    document_request_id: int | None = Field(
        default=None, foreign_key="document_request.id", index=True
    )
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    category: str = Field(default=DocumentCategory.OTHER, max_length=30, index=True)
    source: str = Field(default=DocumentSource.AGENCY, max_length=20)
    title: str = Field(max_length=200)
    comment: str = Field(default="", max_length=1000)
    visible_to_tenants: bool = Field(default=False)
    visible_to_owners: bool = Field(default=False)
    # Where the bytes are, relative to the private documents folder; chosen by the server.
    storage_key: str = Field(max_length=200, unique=True)
    original_filename: str = Field(max_length=255)
    mime_type: str = Field(max_length=100)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    filed_at: datetime | None = timestamp_field()  # when the agency filed a received document


class DocumentRequest(SQLModel, table=True):
    """A document the agency asks a tenant or an owner to provide (documents à fournir)."""

    __tablename__ = "document_request"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int | None = Field(default=None, foreign_key="tenant.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="owner.id", index=True)
    lease_id: int | None = Field(default=None, foreign_key="lease.id", index=True)
    lot_id: int | None = Field(default=None, foreign_key="lot.id", index=True)
    category: str = Field(default=DocumentCategory.OTHER, max_length=30)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=1000)
    due_date: date | None = None
    # The end of validity of the accepted document (an insurance certificate's end date): the
    # yearly request comes back by itself before it.
    valid_until: date | None = None
    status: str = Field(default=DocumentRequestStatus.PENDING, max_length=20, index=True)
    refusal_reason: str = Field(default="", max_length=500)
    renews_yearly: bool = Field(default=False)  # e.g. the attestation d'assurance habitation
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    submitted_at: datetime | None = timestamp_field()
    reviewed_at: datetime | None = timestamp_field()
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
