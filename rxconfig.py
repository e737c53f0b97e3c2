"""Reflex configuration: everything configurable comes from extranet_app.settings."""

from urllib.parse import urlsplit

import reflex as rx

from extranet_app.settings import get_settings

settings = get_settings()
# Browsers send the bare origin (scheme://host[:port]): a PUBLIC_URL with a path or a trailing
# slash must not make every cross-origin check fail.
_public = urlsplit(settings.public_url)
public_origin = f"{_public.scheme}://{_public.netloc}"

config = rx.Config(
    app_name="extranet_app",
    db_url=settings.database_url,
    telemetry_enabled=False,
    # state_auto_setters stays at its default (off): on, it would make every public var writable.
    show_built_with_reflex=False,
    # Credentials must not be offered to any origin: only the public address of the extranet.
    cors_allowed_origins=[public_origin] if settings.is_production else ["*"],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="blue", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
