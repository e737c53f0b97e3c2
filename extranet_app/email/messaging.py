"""The Messagerie's e-mail: a new message from the agency is waiting in the person's space."""

from __future__ import annotations

from extranet_app.email.messages import EmailContent, render_email
from extranet_app.services.agency import AgencyIdentity


def build_new_message_email(
    *, agency: AgencyIdentity, to_name: str, thread_subject: str, messages_url: str
) -> EmailContent:
    """Tells a person offline that the agency wrote to them; the text itself stays in the
    extranet (an e-mail is not a confidential channel), only the subject is named."""
    return render_email(
        "message_notification",
        subject=f"Nouveau message de votre agence – {agency.name}",
        agency=agency,
        to_name=to_name,
        thread_subject=thread_subject,
        messages_url=messages_url,
    )
