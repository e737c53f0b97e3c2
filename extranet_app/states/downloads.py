"""Downloading a file from an event handler without leaving the page (see components/downloads)."""

from __future__ import annotations

import json

import reflex as rx


def download_script(path: str) -> rx.event.EventSpec:
    """Download the backend `path` from an event handler, as `download_link` would."""
    target = json.dumps(path)
    return rx.call_script(
        "(() => { const a = document.createElement('a');"
        f" a.href = typeof getBackendURL === 'function' ? new URL({target}, getBackendURL()).href"
        f" : {target}; a.download = '';"
        # Across origins (development) `download` is ignored: a new tab keeps this page alive.
        " if (new URL(a.href).origin !== window.location.origin) { a.target = '_blank'; }"
        " document.body.appendChild(a); a.click(); a.remove(); })()"
    )
