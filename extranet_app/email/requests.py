"""E-mails about documents à fournir: a new request, and the agency's answer to what was sent."""

from __future__ import annotations

from datetime import date

from extranet_app.email.messages import EmailContent, render_email
from extranet_app.services.agency import AgencyIdentity
from extranet_app.services.formatting import format_date


def build_request_created_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    title: str,
    description: str,
    due_date: date | None,
    link_url: str,
    previous_valid_until: date | None = None,
) -> EmailContent:
    """The agency asks for a document; a renewal says when the current one ends."""
    return render_email(
        "request_created",
        subject=f"Document à fournir : {title} – {agency.name}",
        agency=agency,
        to_name=to_name,
        title=title,
        description=description,
        due_on=format_date(due_date) if due_date else "",
        previous_valid_until=format_date(previous_valid_until) if previous_valid_until else "",
        link_url=link_url,
    )


def build_request_accepted_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    title: str,
    valid_until: date | None,
    link_url: str,
) -> EmailContent:
    """The document sent was accepted (with its end of validity, for an insurance)."""
    return render_email(
        "request_accepted",
        subject=f"Document accepté : {title} – {agency.name}",
        agency=agency,
        to_name=to_name,
        title=title,
        valid_until=format_date(valid_until) if valid_until else "",
        link_url=link_url,
    )


def build_request_refused_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    title: str,
    reason: str,
    due_date: date | None,
    link_url: str,
) -> EmailContent:
    """The document sent was refused: why, and how to send another one."""
    return render_email(
        "request_refused",
        subject=f"Document refusé : {title} – {agency.name}",
        agency=agency,
        to_name=to_name,
        title=title,
        reason=reason,
        due_on=format_date(due_date) if due_date else "",
        link_url=link_url,
    )
