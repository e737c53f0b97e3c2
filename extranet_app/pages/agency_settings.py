"""/agence/parametres: the agency's identity, branding, sections, e-mails and sending (admins)."""

from __future__ import annotations

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import agency_logo, space_page
from extranet_app.components.upload_field import upload_field
from extranet_app.email.intros import INTRO_LABELS, MANDATORY_PARTS
from extranet_app.services.agency_logo import LOGO_MAX_BYTES
from extranet_app.services.agency_settings import IDENTITY_FIELDS, MAX_WELCOME_LENGTH
from extranet_app.services.section_settings import STATE_LABELS, SectionSwitch
from extranet_app.services.uploads import IMAGE_TYPES
from extranet_app.states.agency_settings import NO_BUILDING, AgencySettingsState
from extranet_app.states.session import SessionState

ROUTE = "/agence/parametres"
LOGO_UPLOAD_ID = "logo-upload"
# Fields given the whole width of the identity form.
_WIDE_FIELDS = {"financial_guarantee", "opening_hours", "address_line1", "address_line2"}
_HINTS = {
    "siret": "14 chiffres ; la clé de contrôle est vérifiée.",
    "iban": "Vérifié par sa clé (ex. FR76 3000 4008 …).",
    "payment_reference_pattern": "{bail} : référence du bail ; {lot} : référence du lot. "
    "Ex. « LOYER {bail} ».",
}
State = AgencySettingsState


def _field_error(name: str) -> rx.Component:
    return rx.cond(
        State.errors.contains(name),
        rx.text(State.errors[name], color_scheme="red", size="1", id=f"error-{name}"),
    )


def _identity_input(name: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"identity-{name}", font_weight="500", font_size="14px"),
        rx.input(
            id=f"identity-{name}",
            name=name,
            default_value=State.identity[name],
            width="100%",
        ),
        *([rx.text(_HINTS[name], size="1", color=rx.color("gray", 11))] if name in _HINTS else []),
        _field_error(name),
        spacing="1",
        width="100%",
        grid_column=rx.breakpoints(initial="span 1", md="span 2")
        if name in _WIDE_FIELDS
        else "span 1",
    )


def _identity() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.callout(
                "Ces informations figurent sur les documents (quittances, avis d'échéance, "
                "rapports) et les e-mails émis à partir de maintenant ; les documents déjà émis "
                "restent tels quels.",
                icon="info",
                size="1",
            ),
            rx.grid(
                *[_identity_input(field.name, field.label) for field in IDENTITY_FIELDS],
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.button("Enregistrer l'identité", type="submit", id="save-identity"),
            spacing="4",
            width="100%",
        ),
        key=State.form_version,
        on_submit=State.save_identity,
        id="identity-form",
        width="100%",
    )


def _logo_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Logo", as_="h3", size="4"),
            rx.cond(
                SessionState.logo_version != "",
                rx.hstack(
                    agency_logo(height="56px"),
                    rx.button(
                        "Retirer le logo",
                        on_click=State.remove_logo,
                        variant="soft",
                        color_scheme="red",
                        id="remove-logo",
                    ),
                    align="center",
                    spacing="4",
                ),
                rx.text("Aucun logo pour l'instant.", size="2"),
            ),
            rx.text(
                "PNG ou JPEG, 1 Mo au plus. Les fichiers SVG sont refusés (ils peuvent contenir "
                "du code) : exportez votre logo en PNG. L'image est redessinée avant d'être "
                "affichée sur la page de connexion, dans l'extranet et dans les e-mails.",
                size="2",
                color=rx.color("gray", 11),
            ),
            upload_field(
                LOGO_UPLOAD_ID, allowed=IMAGE_TYPES, multiple=False, max_bytes=LOGO_MAX_BYTES
            ),
            rx.button(
                "Enregistrer le logo",
                on_click=State.upload_logo(rx.upload_files(upload_id=LOGO_UPLOAD_ID)),
                id="save-logo",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _branding_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Couleur principale", html_for="primary-color", font_weight="500"),
            rx.hstack(
                rx.input(
                    type="color",
                    id="primary-color",
                    name="primary_color",
                    default_value=State.primary_color,
                    width="64px",
                    height="40px",
                    padding="2px",
                ),
                rx.text("En-tête de l'extranet, boutons et bandeau des e-mails.", size="2"),
                align="center",
                spacing="3",
            ),
            _field_error("primary_color"),
            rx.el.label(
                "Texte d'accueil de la page de connexion", html_for="welcome", font_weight="500"
            ),
            rx.text_area(
                id="welcome",
                name="login_welcome_text",
                default_value=State.welcome_text,
                max_length=MAX_WELCOME_LENGTH,
                rows="3",
                width="100%",
            ),
            _field_error("login_welcome_text"),
            rx.button("Enregistrer", type="submit", id="save-branding"),
            spacing="2",
            width="100%",
        ),
        key=State.form_version,
        on_submit=State.save_branding,
        width="100%",
    )


def _branding() -> rx.Component:
    return rx.vstack(
        _logo_card(),
        rx.card(_branding_form(), width="100%"),
        spacing="4",
        width="100%",
    )


# --- Sections ---------------------------------------------------------------------------------


def _global_switch(switch: SectionSwitch) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(switch.label, weight="medium"),
            rx.cond(switch.overrides != "", rx.text(switch.overrides, size="1")),
            spacing="0",
        ),
        rx.switch(
            checked=switch.enabled,
            on_change=lambda checked: State.set_global_section(
                switch.space, switch.section, checked
            ),
            id="section-" + switch.space + "-" + switch.section,
            aria_label=switch.label,
        ),
        justify="between",
        align="center",
        width="100%",
        padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _space_switches(space: str, title: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h3", size="4"),
            rx.text("Tableau de bord : toujours affiché.", size="2", color=rx.color("gray", 11)),
            rx.foreach(
                State.global_switches,
                lambda switch: rx.cond(switch.space == space, _global_switch(switch)),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _building_choice(switch: SectionSwitch) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(
                rx.cond(switch.space == "locataire", "Locataires · ", "Propriétaires · "),
                switch.label,
                weight="medium",
            ),
            rx.text(
                "Réglage général : ",
                rx.cond(switch.enabled, "activée", "désactivée"),
                size="1",
            ),
            spacing="0",
        ),
        rx.select.root(
            rx.select.trigger(
                aria_label=switch.label, id="building-" + switch.space + "-" + switch.section
            ),
            rx.select.content(
                *[rx.select.item(label, value=value) for value, label in STATE_LABELS.items()]
            ),
            value=switch.state,
            on_change=lambda state: State.set_building_section(switch.space, switch.section, state),
        ),
        justify="between",
        align="center",
        wrap="wrap",
        width="100%",
        padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _building_overrides() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Par immeuble", as_="h3", size="4"),
            rx.text(
                "Un immeuble peut suivre le réglage général ou le remplacer. Une personne voit "
                "une rubrique si elle est activée pour au moins un de ses immeubles.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.select.root(
                rx.select.trigger(
                    placeholder="Choisir un immeuble", width="100%", id="building-picker"
                ),
                rx.select.content(
                    rx.select.item("Choisir un immeuble", value=NO_BUILDING),
                    rx.foreach(
                        State.buildings,
                        lambda building: rx.select.item(building.name, value=building.reference),
                    ),
                ),
                value=State.building,
                on_change=State.choose_building,
            ),
            rx.foreach(State.building_switches, _building_choice),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _sections() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Une rubrique désactivée disparaît du menu des personnes concernées, et ses pages "
            "comme ses documents leur sont refusés.",
            size="2",
        ),
        rx.grid(
            _space_switches("locataire", "Espace locataire"),
            _space_switches("proprietaire", "Espace propriétaire"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _building_overrides(),
        spacing="4",
        width="100%",
    )


# --- E-mails and sending ------------------------------------------------------------------------


def _intro_editor() -> rx.Component:
    return rx.vstack(
        rx.select.root(
            rx.select.trigger(aria_label="Type d'e-mail", width="100%", id="intro-kind"),
            rx.select.content(
                *[rx.select.item(label, value=kind.value) for kind, label in INTRO_LABELS.items()]
            ),
            value=State.intro_kind,
            on_change=State.choose_intro,
        ),
        rx.el.label("Texte d'introduction", html_for="intro-text", font_weight="500"),
        rx.text_area(
            id="intro-text",
            default_value=State.intro_draft,
            on_blur=State.set_intro_draft,
            rows="6",
            width="100%",
            key=State.form_version,
        ),
        rx.text(
            "{agence} est remplacé par le nom de l'agence. Séparez les paragraphes par une "
            "ligne vide.",
            size="1",
        ),
        _field_error("intro"),
        rx.callout(
            rx.match(
                State.intro_kind,
                *[
                    (kind.value, f"Toujours ajoutés après ce texte : {parts}.")
                    for kind, parts in MANDATORY_PARTS.items()
                ],
                "",
            ),
            icon="lock",
            size="1",
        ),
        rx.hstack(
            rx.button("Aperçu", on_click=State.preview_intro, variant="soft", id="preview-intro"),
            rx.button("Enregistrer", on_click=State.save_intro, id="save-intro"),
            rx.button(
                "Texte d'origine",
                on_click=State.restore_intro,
                variant="ghost",
                id="restore-intro",
            ),
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _intro_preview() -> rx.Component:
    return rx.vstack(
        rx.text("Objet : ", rx.text.strong(State.preview_subject), size="2"),
        # A sandboxed frame without any permission: the e-mail's HTML cannot run anything here.
        rx.el.iframe(
            src_doc=State.preview_html,
            sandbox="",
            title="Aperçu de l'e-mail",
            width="100%",
            height="480px",
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="8px",
            id="intro-preview",
        ),
        spacing="2",
        width="100%",
    )


def _emails() -> rx.Component:
    return rx.grid(
        rx.card(_intro_editor(), width="100%"),
        _intro_preview(),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def _number_input(name: str, label: str, value: rx.Var, low: int, high: int) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_weight="500"),
        rx.input(
            id=name,
            name=name,
            type="number",
            min=low,
            max=high,
            default_value=value.to(str),
            width="120px",
        ),
        spacing="1",
    )


def _sending() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text("Centre d'envoi", weight="bold"),
                rx.radio_group.root(
                    rx.radio_group.item("Relecture manuelle (recommandé)", value="manuel"),
                    rx.radio_group.item("Envoi automatique", value="auto"),
                    name="mode",
                    default_value=rx.cond(State.auto_send, "auto", "manuel"),
                    direction="row",
                    spacing="4",
                    id="sending-mode",
                ),
                rx.text(
                    "En cas d'échec temporaire (serveur de messagerie indisponible), un e-mail "
                    "est réessayé après le délai choisi, puis après un délai doublé à chaque "
                    "fois (une heure au plus), jusqu'au nombre maximal de tentatives.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.hstack(
                    _number_input(
                        "max_attempts", "Nombre maximal de tentatives", State.max_attempts, 1, 20
                    ),
                    _number_input(
                        "retry_delay", "Premier délai (minutes)", State.retry_delay, 1, 240
                    ),
                    wrap="wrap",
                    spacing="4",
                ),
                _field_error("outbox_max_attempts"),
                _field_error("outbox_retry_delay_minutes"),
                rx.button("Enregistrer", type="submit", id="save-sending"),
                spacing="3",
                width="100%",
            ),
            key=State.form_version,
            on_submit=State.save_sending,
            width="100%",
        ),
        width="100%",
    )


def _security() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Double authentification de l'équipe", weight="bold"),
            rx.text(
                "Exigée, chaque membre de l'équipe doit saisir à chaque connexion le code d'une "
                "appli de son téléphone. Tant qu'il ne l'a pas activée (dans Mon compte), son "
                "compte n'ouvre que cette page. Locataires et propriétaires peuvent l'activer "
                "s'ils le souhaitent.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.hstack(
                rx.switch(
                    checked=State.staff_two_factor_required,
                    on_change=State.save_staff_two_factor,
                    id="staff-two-factor",
                ),
                rx.el.label(
                    "Exiger la double authentification pour l'équipe",
                    html_for="staff-two-factor",
                ),
                align="center",
                spacing="2",
            ),
            _field_error("staff_two_factor_required"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _tab(value: str, label: str) -> rx.Component:
    return rx.tabs.trigger(label, value=value, id=f"tab-{value}")


@space_page(
    route=ROUTE,
    title="Paramètres",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=State.load,
)
def agency_settings() -> rx.Component:
    return rx.vstack(
        rx.heading("Paramètres de l'agence", as_="h1", size="7"),
        rx.cond(
            State.loaded,
            rx.tabs.root(
                rx.tabs.list(
                    _tab("identite", "Identité"),
                    _tab("image", "Image de marque"),
                    _tab("rubriques", "Rubriques"),
                    _tab("emails", "E-mails"),
                    _tab("envoi", "Envoi"),
                    _tab("securite", "Sécurité"),
                    wrap="wrap",
                ),
                rx.tabs.content(_identity(), value="identite", padding_top="1em"),
                rx.tabs.content(_branding(), value="image", padding_top="1em"),
                rx.tabs.content(_sections(), value="rubriques", padding_top="1em"),
                rx.tabs.content(_emails(), value="emails", padding_top="1em"),
                rx.tabs.content(_sending(), value="envoi", padding_top="1em"),
                rx.tabs.content(_security(), value="securite", padding_top="1em"),
                default_value="identite",
                width="100%",
            ),
            rx.spinner(),
        ),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
