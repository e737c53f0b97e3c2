"""Application settings, read once from the environment (and `.env` in development)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
Environment = Literal["development", "demo", "test", "production"]

# Folders whose files the web server hands to anyone: private documents must never be inside.
_SERVED_FOLDERS = tuple(
    (PROJECT_ROOT / name).resolve() for name in ("assets", ".web", "uploaded_files")
)
# Only usable where a forgeable key does no harm (a developer's machine, the demo, tests).
_INSECURE_DEV_SECRET = "dev-only-not-secret"  # noqa: S105


class Settings(BaseSettings):
    """Every setting of the extranet; `.env.example` documents each variable."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Environment = Field("development", alias="EXTRANET_ENV")
    secret_key: str = Field(_INSECURE_DEV_SECRET, alias="SECRET_KEY")
    # Reflex reads the same variable, so the app and `reflex db migrate` share one database.
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'data' / 'extranet.db'}", alias="REFLEX_DB_URL"
    )
    documents_dir: Path = Field(PROJECT_ROOT / "data" / "documents", alias="DOCUMENTS_DIR")
    public_url: str = Field("http://localhost:3000", alias="PUBLIC_URL")
    # Where `make backup` writes its archives (keep a copy on another machine too).
    backup_dir: Path = Field(PROJECT_ROOT / "data" / "backups", alias="BACKUP_DIR")
    # GDPR: identity documents (category "identite") are deleted this many days after upload.
    identity_document_retention_days: int = Field(
        365, ge=1, alias="IDENTITY_DOCUMENT_RETENTION_DAYS"
    )
    # Access logs (logins, refusals, downloads, ended sessions) are deleted after this many days:
    # the CNIL recommends keeping them 6 months to 1 year (services/access_logs.py).
    access_log_retention_days: int = Field(365, ge=30, alias="ACCESS_LOG_RETENTION_DAYS")

    # Agency identity: defaults for the agency settings row, printed on documents.
    agency_name: str = Field("Agence Démo Immobilier", alias="AGENCY_NAME")
    agency_address: str = Field("12 rue de la République", alias="AGENCY_ADDRESS")
    agency_postal_code: str = Field("69002", alias="AGENCY_POSTAL_CODE")
    agency_city: str = Field("Lyon", alias="AGENCY_CITY")
    agency_siret: str = Field("", alias="AGENCY_SIRET")
    agency_professional_card: str = Field("", alias="AGENCY_PROFESSIONAL_CARD")
    agency_phone: str = Field("", alias="AGENCY_PHONE")
    agency_email: str = Field("", alias="AGENCY_EMAIL")
    agency_logo_path: Path | None = Field(None, alias="AGENCY_LOGO_PATH")
    agency_iban: str = Field("", alias="AGENCY_IBAN")
    agency_bic: str = Field("", alias="AGENCY_BIC")

    bcrypt_rounds: int = Field(12, ge=4, le=16, alias="BCRYPT_ROUNDS")
    # Login sessions: idle and absolute lifetimes, stricter for agency staff.
    session_idle_minutes: int = Field(120, ge=1, alias="SESSION_IDLE_MINUTES")
    session_absolute_hours: int = Field(24 * 7, ge=1, alias="SESSION_ABSOLUTE_HOURS")
    staff_session_idle_minutes: int = Field(30, ge=1, alias="STAFF_SESSION_IDLE_MINUTES")
    staff_session_absolute_hours: int = Field(12, ge=1, alias="STAFF_SESSION_ABSOLUTE_HOURS")
    session_cookie_name: str = Field("extranet_session", alias="SESSION_COOKIE_NAME")
    # Login throttling: failures counted over a sliding window, per account and per address.
    login_window_minutes: int = Field(15, ge=1, alias="LOGIN_WINDOW_MINUTES")
    login_max_failures_per_account: int = Field(10, ge=1, alias="LOGIN_MAX_FAILURES_PER_ACCOUNT")
    login_max_failures_per_ip: int = Field(50, ge=1, alias="LOGIN_MAX_FAILURES_PER_IP")

    access_code_valid_days: int = Field(14, ge=1, alias="ACCESS_CODE_VALID_DAYS")
    upload_max_bytes: int = Field(10 * 1024 * 1024, ge=1024, alias="UPLOAD_MAX_BYTES")

    # Empty: no SMTP server; e-mails are written as .eml files into MAIL_OUTBOX_DIR instead.
    smtp_host: str = Field("", alias="SMTP_HOST")
    smtp_port: int = Field(25, alias="SMTP_PORT")
    smtp_user: str = Field("", alias="SMTP_USER")
    smtp_password: str = Field("", alias="SMTP_PASSWORD")
    smtp_tls: bool = Field(False, alias="SMTP_TLS")
    smtp_ssl: bool = Field(False, alias="SMTP_SSL")
    mail_from: str = Field("extranet@localhost", alias="MAIL_FROM")
    mail_outbox_dir: Path = Field(PROJECT_ROOT / "data" / "mail-outbox", alias="MAIL_OUTBOX_DIR")
    # How often each backend process sends what is due in the centre d'envoi; 0 turns it off.
    outbox_send_interval_seconds: float = Field(30, ge=0, alias="OUTBOX_SEND_INTERVAL_SECONDS")

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def cookie_secure(self) -> bool:
        """Secure cookies need HTTPS, which production has and a laptop usually does not."""
        return self.public_url.startswith("https://")

    @model_validator(mode="after")
    def _require_real_secret_in_production(self) -> Settings:
        if self.is_production and self.secret_key in ("", _INSECURE_DEV_SECRET):
            raise ValueError("SECRET_KEY doit être défini en production.")
        if self.is_production and not self.smtp_host.strip():
            raise ValueError("SMTP_HOST doit être défini en production (envoi des e-mails).")
        return self

    @model_validator(mode="after")
    def _keep_documents_out_of_served_folders(self) -> Settings:
        documents = self.documents_dir.resolve()
        for served in _SERVED_FOLDERS:
            if documents == served or served in documents.parents:
                raise ValueError(
                    f"DOCUMENTS_DIR ne doit pas se trouver dans un dossier publié ({served})."
                )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache after changing the environment)."""
    return Settings()
