"""Reflex configuration: everything configurable comes from extranet_app.settings."""

import reflex as rx

from extranet_app.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="extranet_app",
    db_url=settings.database_url,
    telemetry_enabled=False,
    # state_auto_setters stays at its default (off): on, it would make every public var writable.
    show_built_with_reflex=False,
    # Credentials must not be offered to any origin: only the public address of the extranet.
    cors_allowed_origins=[settings.public_url] if settings.is_production else ["*"],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="blue", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
