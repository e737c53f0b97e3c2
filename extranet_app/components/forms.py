"""Form pieces shared by the login, activation and password pages."""

from __future__ import annotations

import reflex as rx

from extranet_app.components.backend_url import backend_url
from extranet_app.components.shell import brand_color


def labelled_input(label: str, **props) -> rx.Component:
    """An input with its visible label; `id` is required (the label points to it)."""
    return rx.vstack(
        rx.el.label(label, html_for=props["id"], font_weight="500"),
        rx.input(size="3", width="100%", **props),
        spacing="1",
        width="100%",
    )


def password_pair() -> list[rx.Component]:
    """The new password and its confirmation, with the policy in plain words."""
    return [
        labelled_input(
            "Nouveau mot de passe",
            id="password",
            name="password",
            type="password",
            required=True,
            min_length=12,
            auto_complete="new-password",
        ),
        rx.text(
            "Au moins 12 caractères. Une phrase de plusieurs mots est sûre et facile à retenir.",
            size="2",
            color=rx.color("gray", 11),
        ),
        labelled_input(
            "Confirmez le mot de passe",
            id="password_confirm",
            name="password_confirm",
            type="password",
            required=True,
            auto_complete="new-password",
        ),
    ]


def native_post_form(*children: rx.Component, form_id: str, action_path: str) -> rx.Component:
    """A form the browser itself posts to a backend route (Reflex's form always prevents the
    default submit; submitting the DOM form directly bypasses that)."""
    return rx.form(
        rx.vstack(*children, spacing="4", width="100%"),
        id=form_id,
        action=backend_url(action_path),
        method="post",
        on_submit=rx.call_script(f"document.getElementById('{form_id}').submit()"),
        width="100%",
    )


def error_callout(message: rx.Var, element_id: str) -> rx.Component:
    """A red message, announced to screen readers, shown when `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            id=element_id,
            width="100%",
        ),
    )


def public_card(*children: rx.Component, agency_name: rx.Var) -> rx.Component:
    """The centred card of the pages seen before logging in."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.text(agency_name, size="5", weight="bold", color=brand_color()),
                *children,
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
