"""/espace: a person who is both tenant and owner picks the space to open."""

import reflex as rx

from extranet_app.states.session import SpaceChoiceState


def _choice(choice: dict) -> rx.Component:
    return rx.link(
        rx.card(rx.text(choice["label"], size="5", weight="bold"), width="100%"),
        href=choice["path"],
        underline="none",
        width="100%",
    )


@rx.page(route="/espace", title="Choix de l'espace · Extranet", on_load=SpaceChoiceState.on_load)
def space_choice_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Choisissez votre espace", as_="h1", size="7"),
            rx.text("Bonjour ", SpaceChoiceState.user_name, "."),
            rx.foreach(SpaceChoiceState.choices, _choice),
            spacing="4",
            width="100%",
            max_width="440px",
        ),
        min_height="100vh",
        padding="1em",
    )
