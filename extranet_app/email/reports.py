"""E-mails of the Rapport de gestion: an owner's new report is published."""

from __future__ import annotations

from extranet_app.email.messages import EmailContent, render_email
from extranet_app.services.agency import AgencyIdentity


def build_report_published_email(
    *,
    agency: AgencyIdentity,
    to_name: str,
    period_label: str,
    reports_url: str,
    is_correction: bool = False,
    is_yearly: bool = False,
) -> EmailContent:
    """Tells an owner a report (or its correction, or the yearly summary) is in their space.

    No amount is written in the e-mail: the figures stay behind the login.
    """
    if is_yearly:
        what = f"Votre récapitulatif annuel ({period_label})"
    else:
        what = f"Votre rapport de gestion ({period_label})"
    subject = f"{what} est disponible"
    if is_correction:
        subject = f"{what} a été corrigé"
    return render_email(
        "report_published",
        subject=f"{subject} – {agency.name}",
        agency=agency,
        to_name=to_name,
        headline=subject,
        is_correction=is_correction,
        is_yearly=is_yearly,
        reports_url=reports_url,
    )
