"""Addresses of the backend's HTTP routes, as seen from the browser.

In development the pages and the backend listen on different ports, so a form or a download
link must name the backend explicitly; Reflex's own `getBackendURL` knows where it is.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex.constants import Dirs
from reflex.vars.base import VarData


def backend_url(path: str) -> rx.Var[str]:
    """A string var holding the absolute URL of a backend route, resolved in the browser."""
    return rx.Var(
        _js_expr=f"new URL({json.dumps(path)}, getBackendURL(env.PING)).href",
        _var_data=VarData(
            imports={
                f"$/{Dirs.STATE_PATH}": "getBackendURL",
                "$/env.json": rx.ImportVar(tag="env", is_default=True),
            }
        ),
    ).to(str)
