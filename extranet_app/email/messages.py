"""French e-mails built from Jinja templates: each `build_*()` returns subject, text and HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from extranet_app.email.intros import intro_paragraphs
from extranet_app.services.agency import AgencyIdentity
from extranet_app.services.timekeeping import AGENCY_TIMEZONE

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_CSS_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}")
_DEFAULT_COLOR = "#1f4e79"


@dataclass(frozen=True)
class EmailContent:
    """A built e-mail, ready to be queued: what the person will read."""

    subject: str
    text: str
    html: str


@lru_cache
def _environment() -> Environment:
    # Autoescape the HTML templates only: a name like "<b>" must show as text, never as markup,
    # while the plain-text part must keep it verbatim. StrictUndefined turns a typo into an error.
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_email(
    name: str, *, subject: str, agency: AgencyIdentity, **context: Any
) -> EmailContent:
    """One e-mail from its templates (`name`.html and `name`.txt) in the agency's layout."""
    env = _environment()
    # The colour goes into a style attribute, where escaping alone would not stop CSS injection.
    color = agency.primary_color if _CSS_COLOR.fullmatch(agency.primary_color) else _DEFAULT_COLOR
    values = {
        "subject": subject,
        "agency": replace(agency, primary_color=color),
        "intro": intro_paragraphs(name, agency),
        **context,
    }
    return EmailContent(
        subject=subject,
        text=env.get_template(f"{name}.txt").render(values),
        html=env.get_template(f"{name}.html").render(values),
    )


def format_expiry(moment: datetime) -> str:
    """An instant as French people read it, in Paris time: "12/06/2026 à 14h05"."""
    local = moment.astimezone(AGENCY_TIMEZONE)
    return f"{local:%d/%m/%Y} à {local:%H}h{local:%M}"


def build_invitation_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    login_email: str,
    activation_url: str,
    short_code: str,
    expires_at: datetime,
) -> EmailContent:
    """The access code e-mail: login address, activation link, typed code and expiry."""
    return render_email(
        "invitation",
        subject=f"Votre code d'accès à l'extranet – {agency.name}",
        agency=agency,
        to_name=to_name,
        login_email=login_email,
        activation_url=activation_url,
        short_code=short_code,
        expires_on=format_expiry(expires_at),
    )


def build_account_activated_email(
    *, agency: AgencyIdentity, to_name: str, login_email: str, login_url: str
) -> EmailContent:
    """Confirms an activation, and tells the person what to do if it was not them."""
    return render_email(
        "account_activated",
        subject=f"Votre compte extranet {agency.name} est activé",
        agency=agency,
        to_name=to_name,
        login_email=login_email,
        login_url=login_url,
    )


def build_password_reset_email(
    *, agency: AgencyIdentity, to_name: str, reset_url: str, valid_minutes: int
) -> EmailContent:
    """The "mot de passe oublié" e-mail with its short-lived link."""
    return render_email(
        "password_reset",
        subject=f"Réinitialisation de votre mot de passe – {agency.name}",
        agency=agency,
        to_name=to_name,
        reset_url=reset_url,
        valid_minutes=valid_minutes,
    )


def build_notification_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    title: str,
    text: str,
    link_url: str | None = None,
    link_label: str = "Ouvrir l'extranet",
) -> EmailContent:
    """A generic notice (new document, message, news…): a title, paragraphs, an optional link."""
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return render_email(
        "notification",
        subject=f"{title} – {agency.name}",
        agency=agency,
        to_name=to_name,
        title=title,
        paragraphs=paragraphs,
        link_url=link_url,
        link_label=link_label,
    )
