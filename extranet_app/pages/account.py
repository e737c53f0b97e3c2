"""/compte — Mon compte: password, two-factor authentication, open sessions (every person)."""

import reflex as rx

from extranet_app.api.account_routes import CHANGE_PASSWORD_PATH
from extranet_app.components.forms import (
    error_callout,
    labelled_input,
    native_post_form,
    password_pair,
)
from extranet_app.components.shell import brand_color
from extranet_app.services.auth import ACCOUNT_PATH
from extranet_app.states.account import AccountState


def _header() -> rx.Component:
    return rx.hstack(
        rx.text(AccountState.agency_name, weight="bold", color="white"),
        rx.hstack(
            rx.cond(
                AccountState.back_path != "",
                rx.link(
                    "Retour à mon espace",
                    href=AccountState.back_path,
                    id="back-to-space",
                    color="white",
                    underline="always",
                ),
            ),
            rx.button(
                rx.icon("log-out", size=16),
                "Se déconnecter",
                id="logout",
                on_click=AccountState.logout,
                variant="outline",
                color="white",
                size="2",
            ),
            align="center",
            spacing="3",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        padding="0.75em 1em",
        background=brand_color(),
        width="100%",
    )


def _card(title: str, *children: rx.Component, card_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, as_="h2", size="5"), *children, spacing="3", width="100%"),
        id=card_id,
        width="100%",
    )


def _success(message: rx.Var, element_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="check", color_scheme="green", id=element_id, width="100%"),
    )


def _password_card() -> rx.Component:
    return _card(
        "Mot de passe",
        _success(AccountState.password_message, "password-changed"),
        error_callout(AccountState.password_error, "password-error"),
        native_post_form(
            labelled_input(
                "Mot de passe actuel",
                id="current_password",
                name="current_password",
                type="password",
                required=True,
                auto_complete="current-password",
            ),
            *password_pair(),
            rx.button("Changer le mot de passe", type="submit", id="change-password"),
            rx.text(
                "Toutes vos sessions seront fermées, sauf celle-ci. Un e-mail vous confirmera "
                "le changement.",
                size="2",
                color=rx.color("gray", 11),
            ),
            form_id="password-form",
            action_path=CHANGE_PASSWORD_PATH,
        ),
        card_id="password-card",
    )


def _code_form(
    form_id: str, label: str, button: str, on_submit, color="blue", *extra: rx.Component
) -> rx.Component:
    return rx.form(
        rx.hstack(
            *extra,
            rx.input(
                name="code",
                id=f"{form_id}-code",
                aria_label=label,
                placeholder=label,
                auto_complete="one-time-code",
                required=True,
                max_length=20,
                width="14em",
            ),
            rx.button(button, type="submit", id=f"{form_id}-submit", color_scheme=color),
            wrap="wrap",
            spacing="2",
        ),
        id=form_id,
        on_submit=on_submit,
        reset_on_submit=True,
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        AccountState.recovery_codes.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(
                    "Vos codes de secours : notez-les ou imprimez-les maintenant, ils ne seront "
                    "plus affichés. Chacun remplace une fois le code de l'appli si vous perdez "
                    "votre téléphone.",
                    weight="medium",
                ),
                rx.grid(
                    rx.foreach(
                        AccountState.recovery_codes,
                        lambda code: rx.code(code, size="3", variant="ghost"),
                    ),
                    columns=rx.breakpoints(initial="2", sm="5"),
                    spacing="2",
                    id="recovery-codes",
                ),
                rx.button(
                    "J'ai noté ces codes",
                    id="hide-recovery-codes",
                    on_click=AccountState.hide_recovery_codes,
                    variant="soft",
                ),
                spacing="3",
            ),
            icon="key-round",
            color_scheme="amber",
            width="100%",
        ),
    )


def _enrolment() -> rx.Component:
    return rx.vstack(
        rx.text(
            "1. Scannez ce QR code avec une appli d'authentification (FreeOTP, Google "
            "Authenticator, Microsoft Authenticator, 1Password…)."
        ),
        rx.image(
            src=AccountState.enrol_qr,
            alt="QR code à scanner avec l'appli d'authentification",
            id="totp-qr",
            width="200px",
            height="200px",
        ),
        rx.text("Ou saisissez cette clé dans l'appli :"),
        rx.code(AccountState.enrol_secret, id="totp-secret", size="3", word_break="break-all"),
        rx.text("2. Saisissez votre mot de passe actuel et le code à 6 chiffres de l'appli :"),
        error_callout(AccountState.enrol_error, "enrol-error"),
        _code_form(
            "enrol",
            "Code à 6 chiffres",
            "Activer",
            AccountState.confirm_enrolment,
            "blue",
            rx.input(
                name="current_password",
                id="enrol-password",
                type="password",
                aria_label="Mot de passe actuel",
                placeholder="Mot de passe actuel",
                auto_complete="current-password",
                required=True,
                width="14em",
            ),
        ),
        rx.button(
            "Annuler",
            variant="ghost",
            id="cancel-enrolment",
            on_click=AccountState.cancel_enrolment,
        ),
        spacing="3",
        width="100%",
    )


def _enabled() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("Activée", color_scheme="green", size="2", id="two-factor-on"),
            rx.text("depuis le ", AccountState.two_factor_since),
            align="center",
            wrap="wrap",
        ),
        rx.text(
            AccountState.recovery_codes_left,
            " code(s) de secours restant(s).",
            id="recovery-codes-left",
        ),
        error_callout(AccountState.two_factor_error, "two-factor-error"),
        rx.text("Nouveaux codes de secours (les anciens ne fonctionneront plus) :", size="2"),
        _code_form(
            "regenerate",
            "Code de l'appli",
            "Générer",
            AccountState.regenerate_recovery_codes,
        ),
        rx.cond(
            AccountState.two_factor_required,
            rx.text(
                "L'agence exige la double authentification pour son équipe : elle ne peut pas "
                "être désactivée.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(
                rx.text("Désactiver la double authentification :", size="2"),
                _code_form("disable", "Code de l'appli", "Désactiver", AccountState.disable, "red"),
                spacing="2",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _two_factor_card() -> rx.Component:
    return _card(
        "Double authentification",
        rx.text(
            "En plus du mot de passe, un code à 6 chiffres donné par une appli de votre "
            "téléphone est demandé à chaque connexion : un mot de passe volé ne suffit plus.",
            color=rx.color("gray", 11),
        ),
        _recovery_codes(),
        rx.cond(
            AccountState.two_factor_enabled,
            _enabled(),
            rx.cond(
                AccountState.enrol_qr != "",
                _enrolment(),
                rx.button(
                    rx.icon("shield-check", size=16),
                    "Activer la double authentification",
                    id="start-enrolment",
                    on_click=AccountState.start_enrolment,
                ),
            ),
        ),
        card_id="two-factor-card",
    )


def _notifications_card() -> rx.Component:
    return _card(
        "Notifications par e-mail",
        rx.hstack(
            rx.switch(
                checked=AccountState.email_notifications,
                on_change=AccountState.set_email_notifications,
                id="email-notifications",
            ),
            rx.el.label(
                "Recevoir un e-mail pour les nouveaux messages, documents et actualités",
                html_for="email-notifications",
            ),
            align="center",
            spacing="2",
        ),
        rx.text(
            "Les e-mails de sécurité (mot de passe, double authentification) sont toujours "
            "envoyés.",
            size="2",
            color=rx.color("gray", 11),
        ),
        card_id="notifications-card",
    )


def _session(item: dict) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(item["device"], weight="bold"),
                rx.text("Adresse IP : ", item["ip"], size="2"),
                rx.text("Ouverte le ", item["started"], size="2"),
                rx.text("Dernière activité le ", item["last_seen"], size="2"),
                spacing="1",
            ),
            rx.cond(
                item["current"],
                rx.badge("Cette session", color_scheme="green"),
                rx.button(
                    "Fermer",
                    on_click=AccountState.end_session(item["reference"]),
                    color_scheme="red",
                    variant="soft",
                    class_name="end-session",
                ),
            ),
            justify="between",
            align="start",
            wrap="wrap",
            width="100%",
        ),
        class_name="open-session",
        width="100%",
        variant="surface",
    )


def _sessions_card() -> rx.Component:
    return _card(
        "Sessions ouvertes",
        rx.text(
            "Les appareils connectés à votre compte. Fermez une session que vous ne reconnaissez "
            "pas, puis changez votre mot de passe.",
            color=rx.color("gray", 11),
        ),
        rx.foreach(AccountState.sessions, _session),
        rx.button(
            "Fermer toutes les autres sessions",
            id="end-other-sessions",
            on_click=AccountState.end_other_sessions,
            variant="outline",
            color_scheme="red",
        ),
        card_id="sessions-card",
    )


@rx.page(route=ACCOUNT_PATH, title="Mon compte · Extranet", on_load=AccountState.load)
def account_page() -> rx.Component:
    return rx.box(
        _header(),
        rx.vstack(
            rx.heading("Mon compte", as_="h1", size="7"),
            rx.text(AccountState.user_name, " — ", AccountState.email, id="account-identity"),
            rx.cond(
                AccountState.second_factor_due,
                rx.callout(
                    "L'agence exige la double authentification pour son équipe : activez-la "
                    "ci-dessous pour accéder à l'espace agence.",
                    icon="shield-alert",
                    color_scheme="amber",
                    id="second-factor-due",
                    width="100%",
                ),
            ),
            _two_factor_card(),
            _password_card(),
            _sessions_card(),
            _notifications_card(),
            spacing="4",
            width="100%",
            max_width="760px",
            margin="0 auto",
            padding=rx.breakpoints(initial="1em", sm="2em"),
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )
