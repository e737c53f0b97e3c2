"""The agency's identity, from its settings row or, before one exists, from the environment.

Every PDF and e-mail reads the identity here when it is issued; a document already issued is a
stored file and keeps the identity it was issued with.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlmodel import Session

from extranet_app.models import AgencySettings
from extranet_app.pdf.base import Letterhead, letterhead_from
from extranet_app.settings import get_settings

AGENCY_SETTINGS_ID = 1
DEFAULT_PRIMARY_COLOR = "#1f4e79"
DEFAULT_PAYMENT_REFERENCE_PATTERN = "{bail}"
# The public route serving the current logo (api/agency_routes.py): the login page shows it.
LOGO_PATH = "/api/agence/logo"
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


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
    payment_reference_pattern: str = DEFAULT_PAYMENT_REFERENCE_PATTERN
    # The editable e-mail introductions ("" = the built-in text, email/intros.py).
    invitation_intro: str = ""
    notification_intro: str = ""
    password_reset_intro: str = ""
    logo_url: str = ""  # absolute, for e-mails; "" without a logo
    login_welcome_text: str = ""


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
            primary_color=DEFAULT_PRIMARY_COLOR,
        )
    street = ", ".join(part for part in (row.address_line1, row.address_line2) if part)
    return AgencyIdentity(
        name=row.name,
        address=f"{street}, {row.postal_code} {row.city}",
        phone=row.phone,
        email=row.email,
        iban=row.iban,
        bic=row.bic,
        primary_color=safe_color(row.primary_color),
        payment_reference_pattern=row.payment_reference_pattern
        or DEFAULT_PAYMENT_REFERENCE_PATTERN,
        invitation_intro=row.email_intro_invitation,
        notification_intro=row.email_intro_notification,
        password_reset_intro=row.email_intro_password_reset,
        logo_url=_absolute_logo_url(row.logo_key),
        login_welcome_text=row.login_welcome_text,
    )


def environment_settings() -> AgencySettings:
    """A settings row (not added to any session) with the identity from the environment."""
    settings = get_settings()
    return AgencySettings(
        id=AGENCY_SETTINGS_ID,
        name=settings.agency_name,
        address_line1=settings.agency_address,
        postal_code=settings.agency_postal_code,
        city=settings.agency_city,
        siret=settings.agency_siret,
        professional_card=settings.agency_professional_card,
        phone=settings.agency_phone,
        email=settings.agency_email,
        iban=settings.agency_iban,
        bic=settings.agency_bic,
    )


def settings_row(*, session: Session) -> AgencySettings:
    """The settings row, created from the environment's identity the first time (not committed)."""
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is None:
        row = environment_settings()
        session.add(row)
        session.flush()
    return row


def agency_letterhead(*, session: Session) -> Letterhead:
    """The letterhead a PDF issued now carries (loi Hoguet mentions included)."""
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is not None:
        return letterhead_from(row)
    identity = get_agency_identity(session=session)
    return Letterhead(identity.name, (identity.address,), identity.phone, identity.email)


def safe_color(value: str) -> str:
    """`value` if it is a "#rrggbb" colour, else the default (it ends up in style attributes)."""
    valid = isinstance(value, str) and _HEX_COLOR.fullmatch(value)
    return value if valid else DEFAULT_PRIMARY_COLOR


def logo_version(logo_key: str | None) -> str:
    """A short tag that changes with the logo (cache busting), "" without a logo; it does not
    reveal the storage key."""
    if not logo_key:
        return ""
    return hashlib.sha256(logo_key.encode()).hexdigest()[:12]


def _absolute_logo_url(logo_key: str | None) -> str:
    version = logo_version(logo_key)
    if not version:
        return ""
    return f"{get_settings().public_url.rstrip('/')}{LOGO_PATH}?v={version}"


def format_payment_reference(pattern: str, *, lease_reference: str, lot_reference: str) -> str:
    """The reference a tenant quotes on a transfer: the agency's pattern with "{bail}" (the
    lease's reference) and "{lot}" (the lot's reference) filled in."""
    text = pattern or DEFAULT_PAYMENT_REFERENCE_PATTERN
    return text.replace("{bail}", lease_reference).replace("{lot}", lot_reference).strip()
