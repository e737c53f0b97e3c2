"""The agency's own settings (one row): identity printed on documents, branding, sending."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from extranet_app.models.base import PostalAddress, created_at_field


class AgencySettings(PostalAddress, table=True):
    """Identity and preferences of the agency; there is a single row (id 1)."""

    __tablename__ = "agency_settings"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    legal_form: str = Field(default="", max_length=100)
    siret: str = Field(default="", max_length=20)
    professional_card: str = Field(default="", max_length=100)  # carte professionnelle (loi Hoguet)
    professional_card_issuer: str = Field(default="", max_length=100)
    financial_guarantee: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    opening_hours: str = Field(default="", max_length=300)
    iban: str = Field(default="", max_length=40)
    bic: str = Field(default="", max_length=15)
    logo_key: str | None = Field(default=None, max_length=200)  # private storage
    primary_color: str = Field(default="#1f4e79", max_length=9)
    login_welcome_text: str = Field(default="", max_length=1000)
    outbox_auto_send: bool = Field(default=False)  # manual review is the default, as in the seed
    # What tenants quote on a transfer; "{bail}" is the lease's reference (services/agency).
    payment_reference_pattern: str = Field(default="{bail}", max_length=60)
    # The editable introduction of each e-mail kind; "" means the built-in text (email/intros).
    email_intro_invitation: str = Field(default="", max_length=1000)
    email_intro_notification: str = Field(default="", max_length=1000)
    email_intro_password_reset: str = Field(default="", max_length=1000)
    # Retry policy of the centre d'envoi for temporary failures (services/outbox.RetryPolicy).
    outbox_max_attempts: int = Field(default=8, ge=1, le=50)
    outbox_retry_delay_minutes: int = Field(default=1, ge=1, le=1440)
    # Staff must use two-factor authentication: until they set it up, their login opens only
    # the page where they do (services/auth).
    staff_two_factor_required: bool = Field(default=False)
    updated_at: datetime = created_at_field()
