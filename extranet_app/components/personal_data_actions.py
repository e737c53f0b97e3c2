"""The agency's "Données personnelles" dialog for one person: the zip of their data, and the
anonymisation (admins only) with what the law keeps and what is erased, then its outcome.

One dialog per page, filled by the state when a row's menu item opens it; phone-sized screens
get the buttons stacked at full width.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import VarData

from extranet_app.components.backend_url import backend_url
from extranet_app.components.downloads import download_link
from extranet_app.states.personal_data_actions import PersonalDataActions, PersonalDataStep

KEPT_BY_LAW = (
    "Conservé, comme la loi l'exige : les baux, les appels de loyer, les paiements, les "
    "quittances et reçus, et les documents comptables (10 ans)."
)
ERASED = (
    "Effacé : l'identité (nom, civilité, société), les coordonnées (adresse e-mail, téléphone, "
    "adresse postale), l'accès à l'extranet (compte fermé, sessions terminées) et les pièces "
    "d'identité."
)
_BUTTON_ROW = {
    "direction": rx.breakpoints(initial="column-reverse", sm="row"),
    "gap": "3",
    "justify": "end",
    "width": "100%",
    "margin_top": "1em",
}


def _backend_href(path: rx.Var[str]) -> rx.Var[str]:
    """The absolute address of a backend path held in a var (the path is made by the state)."""
    base = backend_url("/")
    return rx.Var(
        _js_expr=f"new URL({path!s}, {base!s}).href",
        _var_data=VarData.merge(path._get_all_var_data(), base._get_all_var_data()),
    ).to(str)


def personal_data_menu_item(state: type[PersonalDataActions], position: rx.Var) -> rx.Component:
    """The row menu's entry that opens the dialog for the person at `position`."""
    return rx.menu.item(
        rx.hstack(rx.icon("file-lock", size=14), rx.text("Données personnelles"), spacing="2"),
        on_click=state.open_personal_data(position),
    )


def _choice(state: type[PersonalDataActions]) -> rx.Component:
    export = download_link(
        rx.button(
            rx.icon("download", size=16),
            "Exporter les données (zip)",
            variant="soft",
            width="100%",
        ),
        href=_backend_href(state.personal_data_export_path),
        id="personal-data-export",
        width=rx.breakpoints(initial="100%", sm="auto"),
    )
    anonymise = rx.cond(
        state.personal_data_can_anonymise,
        rx.button(
            rx.icon("user-x", size=16),
            "Anonymiser…",
            on_click=state.ask_anonymisation,
            color_scheme="red",
            variant="soft",
            id="personal-data-anonymise",
        ),
    )
    return rx.vstack(
        rx.text(
            "Le zip contient tout ce que l'extranet détient sur cette personne (fiche, baux, "
            "paiements, documents, messages, connexions) : de quoi répondre à une demande "
            "d'accès ou de portabilité.",
            size="2",
        ),
        rx.flex(
            rx.button(
                "Fermer", on_click=state.close_personal_data, variant="soft", color_scheme="gray"
            ),
            anonymise,
            export,
            **_BUTTON_ROW,
        ),
        spacing="2",
        width="100%",
    )


def _confirmation(state: type[PersonalDataActions]) -> rx.Component:
    return rx.vstack(
        rx.text("Anonymiser ", rx.text.strong(state.personal_data_name), " ?", size="3"),
        rx.text(KEPT_BY_LAW, size="2"),
        rx.text(ERASED, size="2"),
        rx.text(
            "C'est définitif, et possible seulement une fois le bail ou le mandat terminé.",
            size="2",
            weight="medium",
            color=rx.color("red", 11),
        ),
        rx.flex(
            rx.button(
                "Annuler",
                on_click=state.back_to_personal_data,
                variant="soft",
                color_scheme="gray",
            ),
            rx.button(
                "Anonymiser définitivement",
                on_click=state.anonymise(state.personal_data_reference),
                color_scheme="red",
                id="personal-data-confirm",
            ),
            **_BUTTON_ROW,
        ),
        spacing="2",
        width="100%",
        id="personal-data-warning",
    )


def _outcome(state: type[PersonalDataActions]) -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.text(state.personal_data_message),
            color_scheme=rx.cond(state.personal_data_succeeded, "green", "red"),
            role=rx.cond(state.personal_data_succeeded, "status", "alert"),
            width="100%",
            id="personal-data-outcome",
        ),
        rx.flex(
            rx.button("Fermer", on_click=state.close_personal_data, variant="soft"),
            **_BUTTON_ROW,
        ),
        width="100%",
    )


def personal_data_dialog(state: type[PersonalDataActions]) -> rx.Component:
    """The dialog, open while the state has a step to show."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Données personnelles"),
            rx.dialog.description(
                state.personal_data_name, size="2", color=rx.color("gray", 11), margin_bottom="1em"
            ),
            rx.match(
                state.personal_data_step,
                (PersonalDataStep.CHOICE.value, _choice(state)),
                (PersonalDataStep.CONFIRMATION.value, _confirmation(state)),
                (PersonalDataStep.OUTCOME.value, _outcome(state)),
                rx.fragment(),
            ),
            max_width="min(560px, 96vw)",
            id="personal-data-dialog",
        ),
        open=state.personal_data_step != PersonalDataStep.CLOSED.value,
        on_open_change=state.personal_data_dialog_changed,
    )
