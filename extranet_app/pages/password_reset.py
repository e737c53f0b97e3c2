"""Mot de passe oublié: ask for a reset link, then choose a new password from it."""

import asyncio

import reflex as rx

from extranet_app.api.password_routes import RESET_PATH
from extranet_app.components.forms import (
    error_callout,
    labelled_input,
    native_post_form,
    password_pair,
    public_card,
)
from extranet_app.db import session_scope
from extranet_app.services import access_codes
from extranet_app.services.access_codes import (
    FORGOT_PASSWORD_PATH,
    PASSWORD_RESET_PATH,
    CodePurpose,
)
from extranet_app.states.password_choice import PasswordChoiceState
from extranet_app.states.session import SessionState, agency_name_now

_SENT = (
    "Si un compte activé correspond à cette adresse, un e-mail vient de lui être envoyé avec "
    "un lien valable 30 minutes. Pensez à regarder dans les courriers indésirables."
)


def _request_reset(email: str, ip: str) -> None:
    with session_scope() as session:
        access_codes.request_password_reset(session=session, email=email, ip=ip)


class ForgotPasswordState(SessionState):
    """Asks for a reset link; answers the same whether the address exists or not."""

    confirmation: str = ""

    @rx.event
    async def on_load(self):
        self.confirmation = ""
        self.agency_name = await asyncio.to_thread(agency_name_now)

    @rx.event
    async def request_link(self, form_data: dict):
        email = form_data.get("email") if isinstance(form_data, dict) else None
        if not isinstance(email, str) or "@" not in email:
            self.confirmation = ""
            return rx.toast.error("Saisissez votre adresse e-mail.")
        await asyncio.to_thread(_request_reset, email[:254], self.router.session.client_ip)
        self.confirmation = _SENT
        return None


class NewPasswordState(PasswordChoiceState):
    """Chooses a new password from the e-mailed link."""

    @rx.event
    async def on_load(self):
        await self._read_link(CodePurpose.PASSWORD_RESET)


@rx.page(
    route=FORGOT_PASSWORD_PATH,
    title="Mot de passe oublié · Extranet",
    on_load=ForgotPasswordState.on_load,
)
def forgot_password_page() -> rx.Component:
    return public_card(
        rx.heading("Mot de passe oublié", as_="h1", size="7"),
        rx.text(
            "Indiquez l'adresse e-mail de votre compte : nous vous enverrons un lien pour "
            "choisir un nouveau mot de passe.",
            color=rx.color("gray", 11),
        ),
        rx.cond(
            ForgotPasswordState.confirmation != "",
            rx.callout(ForgotPasswordState.confirmation, icon="mail", id="reset-requested"),
            rx.form(
                rx.vstack(
                    labelled_input(
                        "Adresse e-mail",
                        id="email",
                        name="email",
                        type="email",
                        required=True,
                        auto_complete="username",
                    ),
                    rx.button("Recevoir le lien", type="submit", size="3", width="100%"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ForgotPasswordState.request_link,
                width="100%",
            ),
        ),
        rx.link("Retour à la connexion", href="/connexion"),
        agency_name=ForgotPasswordState.agency_name,
    )


def _new_password_form() -> rx.Component:
    return native_post_form(
        rx.text(
            "Compte ",
            rx.text.strong(NewPasswordState.holder_email),
            " : choisissez votre nouveau mot de passe. Vos autres connexions seront fermées.",
        ),
        rx.el.input(type="hidden", name="token", value=NewPasswordState.token),
        *password_pair(),
        rx.button("Enregistrer le mot de passe", type="submit", size="3", width="100%"),
        form_id="new-password-form",
        action_path=RESET_PATH,
    )


@rx.page(
    route=PASSWORD_RESET_PATH,
    title="Nouveau mot de passe · Extranet",
    on_load=NewPasswordState.on_load,
)
def new_password_page() -> rx.Component:
    return public_card(
        rx.heading("Nouveau mot de passe", as_="h1", size="7"),
        error_callout(NewPasswordState.error, "new-password-error"),
        rx.cond(NewPasswordState.link_is_valid, _new_password_form()),
        rx.link("Retour à la connexion", href="/connexion"),
        agency_name=NewPasswordState.agency_name,
    )
