"""/connexion/code: the second step of a login with two-factor authentication.

The password was right; the pending session (in the HttpOnly cookie) opens nothing until the
code from the phone app, or a recovery code, is posted natively to the HTTP route.
"""

import asyncio

import reflex as rx

from extranet_app.api.auth_routes import SECOND_FACTOR_PAGE, SECOND_FACTOR_PATH, WRONG_CODE_QUERY
from extranet_app.components.forms import (
    error_callout,
    labelled_input,
    native_post_form,
    public_card,
)
from extranet_app.components.shell import agency_logo
from extranet_app.services import auth
from extranet_app.states.session import SessionState, space_header


class LoginCodeState(SessionState):
    """Says why a code was refused; a visitor already logged in goes to their space."""

    error: str = ""

    @rx.event
    async def on_load(self):
        user = await self._session_user()
        if user is not None:
            return rx.redirect(auth.landing_path(user))
        self._show_branding(await asyncio.to_thread(space_header, None, None))
        self.error = (
            "Code incorrect ou déjà utilisé. Saisissez le code affiché maintenant par l'appli."
            if self.router.url.query == WRONG_CODE_QUERY
            else ""
        )
        return None


@rx.page(
    route=SECOND_FACTOR_PAGE, title="Code de connexion · Extranet", on_load=LoginCodeState.on_load
)
def login_code_page() -> rx.Component:
    return public_card(
        agency_logo(height="56px"),
        rx.heading("Code de vérification", as_="h1", size="7"),
        rx.text(
            "Saisissez le code à 6 chiffres affiché par votre appli d'authentification. "
            "Téléphone perdu ? Saisissez l'un de vos codes de secours."
        ),
        error_callout(LoginCodeState.error, "code-error"),
        native_post_form(
            labelled_input(
                "Code",
                id="code",
                name="code",
                required=True,
                auto_complete="one-time-code",
                input_mode="text",
                max_length=20,
                auto_focus=True,
            ),
            rx.button("Valider", type="submit", size="3", width="100%"),
            form_id="code-form",
            action_path=SECOND_FACTOR_PATH,
        ),
        rx.link("Recommencer la connexion", href="/connexion", id="restart-login"),
        agency_name=LoginCodeState.agency_name,
    )
