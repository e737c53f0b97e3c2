"""/connexion: e-mail and password, posted natively to the HTTP login route."""

import reflex as rx

from extranet_app.api.auth_routes import LOGIN_PATH
from extranet_app.components.backend_url import backend_url
from extranet_app.components.shell import BRAND_COLOR
from extranet_app.states.session import LoginState

# Reflex's form always prevents the default submit; submitting the DOM form directly bypasses
# that, so the browser posts the credentials itself and receives the HttpOnly cookie.
_SUBMIT_NATIVELY = "document.getElementById('login-form').submit()"


def _field(label: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=props["id"], font_weight="500"),
        rx.input(size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )


def _login_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _field(
                "Adresse e-mail",
                id="email",
                name="email",
                type="email",
                required=True,
                auto_complete="username",
            ),
            _field(
                "Mot de passe",
                id="password",
                name="password",
                type="password",
                required=True,
                auto_complete="current-password",
            ),
            rx.button("Se connecter", type="submit", size="3", width="100%"),
            spacing="4",
            width="100%",
        ),
        id="login-form",
        action=backend_url(LOGIN_PATH),
        method="post",
        on_submit=rx.call_script(_SUBMIT_NATIVELY),
        width="100%",
    )


@rx.page(route="/connexion", title="Connexion · Extranet", on_load=LoginState.on_load)
def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.text(LoginState.agency_name, size="5", weight="bold", color=BRAND_COLOR),
                rx.heading("Connexion à votre espace", as_="h1", size="7"),
                rx.text(
                    "Locataires, propriétaires et équipe de l'agence : connectez-vous avec "
                    "votre adresse e-mail et votre mot de passe.",
                    color=rx.color("gray", 11),
                ),
                rx.cond(
                    LoginState.error != "",
                    rx.callout(
                        LoginState.error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        id="login-error",
                        width="100%",
                    ),
                ),
                _login_form(),
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="440px",
        ),
        min_height="100vh",
        padding="1em",
        background=rx.color("gray", 2),
    )
