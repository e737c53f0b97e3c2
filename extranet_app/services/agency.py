"""The agency's identity, from its settings row or, before one exists, from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from extranet_app.models import AgencySettings
from extranet_app.settings import get_settings

AGENCY_SETTINGS_ID = 1


@dataclass(frozen=True)
class AgencyIdentity:
    """What the extranet prints about the agency on pages, e-mails and documents."""

    name: str
    address: str
    phone: str
    email: str
    iban: str
    bic: str
    primary_color: str


def get_agency_identity(*, session: Session) -> AgencyIdentity:
    """The agency's identity as currently configured."""
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is None:
        settings = get_settings()
        return AgencyIdentity(
            name=settings.agency_name,
            address=(
                f"{settings.agency_address}, {settings.agency_postal_code} {settings.agency_city}"
            ),
            phone=settings.agency_phone,
            email=settings.agency_email,
            iban=settings.agency_iban,
            bic=settings.agency_bic,
            primary_color="#1f4e79",
        )
    street = ", ".join(part for part in (row.address_line1, row.address_line2) if part)
    return AgencyIdentity(
        name=row.name,
        address=f"{street}, {row.postal_code} {row.city}",
        phone=row.phone,
        email=row.email,
        iban=row.iban,
        bic=row.bic,
        primary_color=row.primary_color,
    )
