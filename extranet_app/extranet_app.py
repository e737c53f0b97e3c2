"""The Reflex app: created here; pages register themselves, HTTP routes come from api/."""

import reflex as rx
from starlette.applications import Starlette

import extranet_app.pages  # noqa: F401  (registers the pages)
from extranet_app.api.account_routes import routes as account_routes
from extranet_app.api.agency_routes import routes as agency_routes
from extranet_app.api.auth_routes import routes as auth_routes
from extranet_app.api.data_routes import routes as data_routes
from extranet_app.api.document_routes import routes as document_routes
from extranet_app.api.hardening import harden
from extranet_app.api.news_routes import routes as news_routes
from extranet_app.api.password_routes import routes as password_routes
from extranet_app.api.personal_data_routes import routes as personal_data_routes
from extranet_app.workers.maintenance import run_maintenance
from extranet_app.workers.outbox_sender import run_outbox_sender

# Our routes first, then the hardening wrapper around everything (Reflex included).
app = rx.App(
    # French pages: screen readers, hyphenation and date inputs (dd/mm/yyyy) follow this.
    html_lang="fr",
    api_transformer=[
        Starlette(
            routes=[
                *auth_routes,
                *account_routes,
                *password_routes,
                *document_routes,
                *news_routes,
                *agency_routes,
                *data_routes,
                *personal_data_routes,
            ]
        ),
        harden,
    ],
)
# The automatic sender of the centre d'envoi runs beside each backend process.
app.register_lifespan_task(run_outbox_sender)
# The retention purges (access logs, identity documents) run every night the same way.
app.register_lifespan_task(run_maintenance)
