"""The introduction of each e-mail kind: the one part of an e-mail the agency may rewrite.

What the person needs to act (the link, the access code, how long it lasts) is written by the
templates after the introduction, so no wording chosen by the agency can remove it.
"""

from __future__ import annotations

from enum import StrEnum

from extranet_app.services.agency import AgencyIdentity

MAX_INTRO_LENGTH = 1000
AGENCY_PLACEHOLDER = "{agence}"


class IntroKind(StrEnum):
    """The e-mail kinds with an editable introduction (the value is the template's name)."""

    INVITATION = "invitation"
    NOTIFICATION = "notification"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind, not a password)


INTRO_LABELS = {
    IntroKind.INVITATION: "Invitation (code d'accès)",
    IntroKind.NOTIFICATION: "Notification (document, message, actualité…)",
    IntroKind.PASSWORD_RESET: "Mot de passe oublié",
}
# The mandatory parts each kind adds after the introduction, in the words of the settings page.
MANDATORY_PARTS = {
    IntroKind.INVITATION: "le lien d'activation, l'identifiant, le code d'accès et sa date "
    "d'expiration",
    IntroKind.NOTIFICATION: "le titre, le texte de la notification et le lien vers l'extranet",
    IntroKind.PASSWORD_RESET: "le lien de réinitialisation et sa durée de validité",
}
DEFAULT_INTROS = {
    IntroKind.INVITATION: f"{AGENCY_PLACEHOLDER} vous ouvre un accès à son extranet : vous y "
    "retrouverez vos documents, vos quittances et vos échanges avec l'agence.",
    IntroKind.NOTIFICATION: "",
    IntroKind.PASSWORD_RESET: "Vous avez demandé à réinitialiser le mot de passe de votre "
    "compte extranet.",
}


def custom_intro(kind: IntroKind, agency: AgencyIdentity) -> str:
    """The agency's own introduction for `kind` ("" when it keeps the built-in one)."""
    return {
        IntroKind.INVITATION: agency.invitation_intro,
        IntroKind.NOTIFICATION: agency.notification_intro,
        IntroKind.PASSWORD_RESET: agency.password_reset_intro,
    }[kind]


def intro_paragraphs(template_name: str, agency: AgencyIdentity) -> list[str]:
    """The introduction's paragraphs for the e-mail built from `template_name` (none for kinds
    without an editable introduction); "{agence}" becomes the agency's current name."""
    if template_name not in {kind.value for kind in IntroKind}:
        return []
    kind = IntroKind(template_name)
    text = (custom_intro(kind, agency) or DEFAULT_INTROS[kind]).replace(
        AGENCY_PLACEHOLDER, agency.name
    )
    return [part.strip() for part in text.split("\n\n") if part.strip()]
