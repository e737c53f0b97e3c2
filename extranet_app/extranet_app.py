"""The Reflex app: created here; pages register themselves, HTTP routes come from api/."""

import reflex as rx
from starlette.applications import Starlette

import extranet_app.pages  # noqa: F401  (registers the pages)
from extranet_app.api.auth_routes import routes as auth_routes
from extranet_app.api.hardening import harden

# Our routes first, then the hardening wrapper around everything (Reflex included).
app = rx.App(api_transformer=[Starlette(routes=auth_routes), harden])
