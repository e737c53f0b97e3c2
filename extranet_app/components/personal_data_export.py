"""The "Exporter mes données" button (GDPR: the person's copy of their data, as a zip)."""

from __future__ import annotations

import reflex as rx

from extranet_app.api.personal_data_routes import OWN_EXPORT_PATH
from extranet_app.components.backend_url import backend_url
from extranet_app.components.downloads import download_link
from extranet_app.states.session import SessionState


def export_my_data_button() -> rx.Component:
    """The download button of a tenant's or owner's own data; hidden during an Aperçu, where the
    cookie is the staff member's and the zip would be theirs, not the previewed person's."""
    return rx.cond(
        SessionState.preview_name == "",
        download_link(
            rx.button(rx.icon("download", size=16), "Exporter mes données", variant="soft"),
            href=backend_url(OWN_EXPORT_PATH),
            id="export-my-data",
        ),
    )
