"""/activation: the person chooses a password with the access code of their enrolment e-mail."""

import reflex as rx

from extranet_app.api.password_routes import ACTIVATE_PATH
from extranet_app.components.forms import (
    error_callout,
    labelled_input,
    native_post_form,
    password_pair,
    public_card,
)
from extranet_app.services.access_codes import ACTIVATION_PATH, CodePurpose
from extranet_app.states.password_choice import PasswordChoiceState


class ActivationState(PasswordChoiceState):
    """The activation page: from the e-mail's link, or with the e-mail and code typed by hand."""

    @rx.event
    async def on_load(self):
        await self._read_link(CodePurpose.ACTIVATION)


def _typed_code_fields() -> list[rx.Component]:
    return [
        labelled_input(
            "Adresse e-mail",
            id="email",
            name="email",
            type="email",
            required=True,
            auto_complete="username",
        ),
        labelled_input(
            "Code d'accès (dans l'e-mail d'inscription)",
            id="short_code",
            name="short_code",
            required=True,
            auto_complete="one-time-code",
            placeholder="XXXX-XXXX-XX",
        ),
    ]


def _activation_form() -> rx.Component:
    return native_post_form(
        rx.cond(
            ActivationState.link_is_valid,
            rx.fragment(
                rx.text(
                    "Bonjour ",
                    rx.text.strong(ActivationState.holder_name),
                    ". Choisissez le mot de passe de votre compte ",
                    rx.text.strong(ActivationState.holder_email),
                    ".",
                ),
                rx.el.input(type="hidden", name="token", value=ActivationState.token),
            ),
            rx.fragment(*_typed_code_fields()),
        ),
        *password_pair(),
        rx.button("Activer mon compte", type="submit", size="3", width="100%"),
        form_id="activation-form",
        action_path=ACTIVATE_PATH,
    )


@rx.page(route=ACTIVATION_PATH, title="Activation · Extranet", on_load=ActivationState.on_load)
def activation_page() -> rx.Component:
    # A link that cannot be used leaves only its explanation; without a link, the typed code.
    link_refused = (ActivationState.token != "") & ~ActivationState.link_is_valid
    return public_card(
        rx.heading("Activer votre compte", as_="h1", size="7"),
        error_callout(ActivationState.error, "activation-error"),
        rx.cond(link_refused, rx.fragment(), _activation_form()),
        rx.link("Retour à la connexion", href="/connexion"),
        agency_name=ActivationState.agency_name,
    )
