"""The e-mail telling a tenant or an owner that new documents wait in their Porte-documents."""

from __future__ import annotations

from collections.abc import Sequence

from extranet_app.email.messages import EmailContent, render_email
from extranet_app.services.agency import AgencyIdentity

SUBJECT_ONE = "Un nouveau document est disponible dans votre espace"
SUBJECT_MANY = "De nouveaux documents sont disponibles dans votre espace"


def build_document_available_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    count: int,
    categories: Sequence[str],
    folder_url: str,
) -> EmailContent:
    """One notice per upload batch: how many documents, of which kinds, and the link to the
    Porte-documents; never the file itself nor its title (an e-mail is not a private place)."""
    return render_email(
        "document_available",
        subject=SUBJECT_ONE if count == 1 else SUBJECT_MANY,
        agency=agency,
        to_name=to_name,
        count=count,
        categories=", ".join(dict.fromkeys(categories)),
        folder_url=folder_url,
    )
