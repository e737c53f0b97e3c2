"""Logins: users, their login sessions and their access codes (invitations)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from extranet_app.models.base import created_at_field, timestamp_field


class User(SQLModel, table=True):
    """One login. Tenant and owner roles come from the profiles linked to it."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased by the services, so the unique index is case-insensitive in effect.
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=100)  # None until activation
    is_agency: bool = Field(default=False)
    is_admin: bool = Field(default=False)
    is_active: bool = Field(default=True)
    email_notifications: bool = Field(default=True)
    # Two-factor authentication (services/two_factor): the TOTP secret encrypted under SECRET_KEY,
    # when it was switched on, and the last 30-second step accepted (a code works only once).
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = timestamp_field()
    totp_last_step: int | None = Field(default=None)
    created_at: datetime = created_at_field()
    activated_at: datetime | None = timestamp_field()
    last_login_at: datetime | None = timestamp_field()


class AuthSession(SQLModel, table=True):
    """A server-side login session; the browser holds only the token, we keep its hash."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    idle_expires_at: datetime = Field()
    expires_at: datetime = Field()
    revoked_at: datetime | None = timestamp_field()
    ip: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=300)
    # Password checked, second factor still to give: the session opens nothing until then, and
    # is dropped after a few wrong codes (services/auth.verify_second_factor).
    second_factor_pending: bool = Field(default=False)
    failed_codes: int = Field(default=0)


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the TOTP code when the phone is lost (keyed hash)."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    created_at: datetime = created_at_field()
    used_at: datetime | None = timestamp_field()


class Invitation(SQLModel, table=True):
    """A one-time secret sent by e-mail: an access code (activation) or a password reset link."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    purpose: str = Field(default="activation", max_length=20)  # or "password_reset"
    token_hash: str = Field(max_length=64, unique=True, index=True)  # the long secret of the link
    # Keyed HMAC of the code a person can type (activation only): a database dump cannot be
    # brute-forced offline without SECRET_KEY.
    short_code_hash: str | None = Field(default=None, max_length=100)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field()
    used_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()  # a newer code replaced this one
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
