"""/connexion: e-mail and password, posted natively to the HTTP login route."""

import reflex as rx

from extranet_app.api.auth_routes import LOGIN_PATH
from extranet_app.components.forms import (
    error_callout,
    labelled_input,
    native_post_form,
    public_card,
)
from extranet_app.components.shell import agency_logo
from extranet_app.services.access_codes import ACTIVATION_PATH, FORGOT_PASSWORD_PATH
from extranet_app.states.session import LoginState


def _login_form() -> rx.Component:
    return native_post_form(
        labelled_input(
            "Adresse e-mail",
            id="email",
            name="email",
            type="email",
            required=True,
            auto_complete="username",
        ),
        labelled_input(
            "Mot de passe",
            id="password",
            name="password",
            type="password",
            required=True,
            auto_complete="current-password",
        ),
        rx.button("Se connecter", type="submit", size="3", width="100%"),
        form_id="login-form",
        action_path=LOGIN_PATH,
    )


@rx.page(route="/connexion", title="Connexion · Extranet", on_load=LoginState.on_load)
def login_page() -> rx.Component:
    return public_card(
        agency_logo(height="56px"),
        rx.heading("Connexion à votre espace", as_="h1", size="7"),
        rx.cond(
            LoginState.welcome_text != "",
            rx.text(LoginState.welcome_text, id="welcome-text", white_space="pre-line"),
        ),
        rx.text(
            "Locataires, propriétaires et équipe de l'agence : connectez-vous avec "
            "votre adresse e-mail et votre mot de passe.",
            color=rx.color("gray", 11),
        ),
        error_callout(LoginState.error, "login-error"),
        _login_form(),
        rx.vstack(
            rx.link("Mot de passe oublié ?", href=FORGOT_PASSWORD_PATH, id="forgot-password"),
            rx.link(
                "Première connexion : activez votre compte avec votre code d'accès",
                href=ACTIVATION_PATH,
                id="first-login",
            ),
            spacing="2",
        ),
        agency_name=LoginState.agency_name,
    )
