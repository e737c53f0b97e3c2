"""The Reflex app: created here, pages and HTTP routes come from their own modules."""

import reflex as rx

import extranet_app.models  # noqa: F401  (every table must be known to the metadata)

app = rx.App()
