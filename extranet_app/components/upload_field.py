"""A file picker for private uploads: drop zone, file list, camera on phones, French messages.

The files go to the page's own handler (`rx.upload_files(upload_id)`), which checks them with
services/uploads.py and stores them privately; nothing is ever saved in Reflex's upload folder.
"""

from __future__ import annotations

import reflex as rx

from extranet_app.services.uploads import JPEG, PDF, PNG, allowed_types_label
from extranet_app.settings import get_settings

_ACCEPT = {PDF: [".pdf"], JPEG: [".jpg", ".jpeg"], PNG: [".png"]}


def _rejected_toast(rejected_files: rx.Var) -> rx.event.EventSpec:
    names = rejected_files.to(list[dict]).map(
        lambda rejected: rejected.to(dict)["file"].to(dict)["path"].to(str)
    )
    return rx.toast.error(
        "Fichier refusé : type ou taille non accepté.",
        description=names.join(", "),
        close_button=True,
    )


def upload_field(
    upload_id: str,
    *,
    allowed: frozenset[str] = frozenset(_ACCEPT),
    multiple: bool = True,
    max_bytes: int | None = None,
) -> rx.Component:
    """A drop zone and button; on a phone, choosing an image offers the camera. `max_bytes`
    lowers the size limit below the general one (the handler checks it again)."""
    limit = min(max_bytes or get_settings().upload_max_bytes, get_settings().upload_max_bytes)
    hint = (
        f"{allowed_types_label(allowed)}, {limit // (1024 * 1024)} Mo au plus par fichier"
        if limit >= 1024 * 1024
        else f"{allowed_types_label(allowed)}, {limit // 1024} Ko au plus par fichier"
    )
    return rx.vstack(
        rx.upload.root(
            rx.vstack(
                rx.button(
                    rx.icon("paperclip", size=16),
                    "Choisir des fichiers" if multiple else "Choisir un fichier",
                    type="button",
                    variant="soft",
                ),
                rx.text("ou déposez-les ici · " + hint, size="1", color_scheme="gray"),
                align="center",
                spacing="1",
            ),
            id=upload_id,
            accept={kind: _ACCEPT[kind] for kind in allowed},
            multiple=multiple,
            max_size=limit,
            on_drop_rejected=_rejected_toast,
            border="1px dashed var(--gray-8)",
            border_radius="8px",
            padding="1em",
            width="100%",
        ),
        rx.foreach(
            rx.selected_files(upload_id),
            lambda name: rx.hstack(
                rx.icon("file", size=14), rx.text(name, size="2"), align="center"
            ),
        ),
        width="100%",
        spacing="2",
    )
